from django.conf import settings

from shuzhuan.core.navigation import grouped_menu, menu_for


def platform(request):
    menu = menu_for(request)
    return {
        "PLATFORM_NAME": settings.PLATFORM_NAME,
        "CITY_NAME": settings.CITY_NAME,
        "nav_menu": menu,
        "nav_groups": grouped_menu(menu),
    }
