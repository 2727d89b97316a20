"""Chinese by default; English (or another configured language) only when the user chooses it.

Django's LocaleMiddleware would follow the browser's Accept-Language, so an officer whose browser is
set to English would get English pages without asking. Here only the language cookie that the
language switcher (`core:set_language`) sets can change the language.
"""

from django.conf import settings
from django.utils import translation


class ChosenLanguageMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self.languages = {code for code, _name in settings.LANGUAGES}

    def __call__(self, request):
        language = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        if language not in self.languages:
            language = settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        return response
