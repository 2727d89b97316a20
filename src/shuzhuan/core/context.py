from django.conf import settings

from shuzhuan.core.navigation import menu_for


def platform(request):
    return {
        "PLATFORM_NAME": settings.PLATFORM_NAME,
        "CITY_NAME": settings.CITY_NAME,
        "nav_menu": menu_for(request),
    }
