from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "zargar.accounts"
    label = "accounts"
    verbose_name = "Accounts"
