from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "shuzhuan.api"
    label = "api"
    verbose_name = "API"
