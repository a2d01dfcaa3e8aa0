from django.urls import path

from jianguan.accounts import views

app_name = "accounts"
urlpatterns = [
    path("login/", views.login_view, name="login"),
    path("login/verify/", views.login_verify, name="login_verify"),
    path("login/again/", views.login_again, name="login_again"),
    path("two-factor/", views.two_factor_settings, name="two_factor"),
    path("users/<int:pk>/two-factor/reset/", views.user_two_factor_reset, name="user_two_factor_reset"),
    path("logout/", views.logout_view, name="logout"),
    path("password/", views.password_change, name="password_change"),
    path("tokens/", views.token_list, name="token_list"),
    path("tokens/<int:pk>/revoke/", views.token_revoke, name="token_revoke"),
    path("users/", views.user_list, name="user_list"),
    path("users/new/", views.user_create, name="user_create"),
    path("users/<int:pk>/", views.user_detail, name="user_detail"),
    path("users/<int:pk>/officer/", views.user_officer_profile, name="user_officer_profile"),
    path("users/<int:pk>/password/", views.user_password_reset, name="user_password_reset"),
]
