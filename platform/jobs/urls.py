from django.urls import path

from . import views

urlpatterns = [
    path("images/generations", views.GenerationsView.as_view(), name="images-generations"),
    path("images/edits", views.EditsView.as_view(), name="images-edits"),
    path("images/variations", views.VariationsView.as_view(), name="images-variations"),
    path("images/restyles", views.RestylesView.as_view(), name="images-restyles"),
    path("moderations", views.ModerationsView.as_view(), name="moderations"),
    path("health", views.HealthView.as_view(), name="health"),
    path("models", views.ModelsView.as_view(), name="models"),
    path("jobs", views.JobsView.as_view(), name="jobs"),
    path("jobs/<uuid:job_id>", views.JobView.as_view(), name="job"),
    path("jobs/<uuid:job_id>/cancel", views.JobCancelView.as_view(), name="job-cancel"),
    path("files/images/<uuid:image_id>", views.ImageFileView.as_view(), name="image-file"),
    path("provenance/verify", views.VerifyView.as_view(), name="provenance-verify"),
]
