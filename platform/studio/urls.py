"""The web studio's pages, mounted at the site root (the API lives under /v1/)."""
from django.contrib.auth import views as auth_views
from django.urls import include, path

from .views import account, images, staff, verify

AUTH_TEMPLATES = "studio/auth/"
# Django's own auth views with the studio's templates. The names stay un-namespaced
# (login, logout, password_reset…) because LOGIN_URL and the reset e-mail use them.
auth_patterns = [
    path("login/", auth_views.LoginView.as_view(template_name=AUTH_TEMPLATES + "login.html", redirect_authenticated_user=True),
         name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("password/reset/", auth_views.PasswordResetView.as_view(
        template_name=AUTH_TEMPLATES + "password_reset_form.html", email_template_name=AUTH_TEMPLATES + "password_reset_email.txt",
        subject_template_name=AUTH_TEMPLATES + "password_reset_subject.txt"), name="password_reset"),
    path("password/reset/sent/", auth_views.PasswordResetDoneView.as_view(template_name=AUTH_TEMPLATES + "password_reset_done.html"),
         name="password_reset_done"),
    path("password/reset/<uidb64>/<token>/", auth_views.PasswordResetConfirmView.as_view(
        template_name=AUTH_TEMPLATES + "password_reset_confirm.html"), name="password_reset_confirm"),
    path("password/reset/done/", auth_views.PasswordResetCompleteView.as_view(
        template_name=AUTH_TEMPLATES + "password_reset_complete.html"), name="password_reset_complete"),
]

studio_patterns = [
    path("", images.home, name="home"),
    path("signup/", account.signup, name="signup"),
    path("account/", account.account, name="account"),
    path("account/keys/<str:key_id>/revoke", account.api_key_revoke, name="api-key-revoke"),
    path("create/", images.create, name="create"),
    path("edit/", images.edit, name="edit"),
    path("vary/", images.vary, name="vary"),
    path("restyle/", images.restyle, name="restyle"),
    path("jobs/<uuid:job_id>/", images.job, name="job"),
    path("jobs/<uuid:job_id>/cancel", images.job_cancel, name="job-cancel"),
    path("jobs/<uuid:job_id>/original", images.job_upload, name="job-upload"),
    path("gallery/", images.gallery, name="gallery"),
    path("gallery/<uuid:image_id>/", images.image_detail, name="image"),
    path("verify/", verify.verify, name="verify"),
    path("staff/", staff.review_queue, name="staff-review"),
    path("staff/review/<uuid:job_id>", staff.review_decide, name="staff-review-decide"),
    path("staff/review/<uuid:job_id>/upload", staff.review_upload, name="staff-review-upload"),
    path("staff/accounts/", staff.enforcement, name="staff-enforcement"),
    path("staff/accounts/<int:user_id>", staff.enforcement_act, name="staff-enforcement-act"),
    path("staff/audit/", staff.audit_log, name="staff-audit"),
]

urlpatterns = [
    path("accounts/", include(auth_patterns)),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include((studio_patterns, "studio"))),
]
