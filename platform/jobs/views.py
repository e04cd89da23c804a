"""Thin API views: validate, call one service, render OpenAI's shapes."""
from __future__ import annotations

import base64
import time

from django.conf import settings
from django.core import signing
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework import permissions, status
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts import limits
from accounts.models import SCOPE_IMAGES, SCOPE_MODERATION, ApiKey

from . import files, runtime, selectors, services, uploads
from .admission import NotAdmitted, admit, assert_gpu_capacity
from .cpu_slots import cpu_slot
from .errors import ApiError
from .models import Image, Job
from .serializers import EditIn, GenerationIn, JobIn, ModerationIn, RestyleIn, VariationIn, VerifyIn

URL_SALT = "hallmark.image-url"

# The documented answers, so that a schema check (schemathesis) tests the bodies, not just the statuses.
ERROR = inline_serializer("Error", {"error": inline_serializer("ErrorBody", {
    "message": serializers.CharField(), "type": serializers.CharField(),
    "param": serializers.CharField(allow_null=True), "code": serializers.CharField(allow_null=True)})})
ERRORS = {status_code: ERROR for status_code in (400, 401, 403, 404, 409, 413, 429, 503)}
IMAGES_OUT = inline_serializer("ImagesResponse", {
    "created": serializers.IntegerField(), "data": serializers.ListField(child=serializers.DictField())})
MODERATION_OUT = inline_serializer("ModerationResponse", {
    "id": serializers.CharField(), "model": serializers.CharField(),
    "results": serializers.ListField(child=serializers.DictField())})
VERIFY_OUT = inline_serializer("VerifyResponse", {
    "provenance": serializers.DictField(), "record": serializers.DictField(allow_null=True)})


# --- shared steps ------------------------------------------------------------

def _create_job(request, kind: str) -> Job:
    serializer = {"generation": GenerationIn, "edit": EditIn, "variation": VariationIn,
                  "restyle": RestyleIn}[kind](data=request.data)
    serializer.is_valid(raise_exception=True)
    data = serializer.validated_data
    key = _api_key(request)
    upload = None
    if kind in ("edit", "variation", "restyle"):
        # A full gpu queue refuses before the upload is decoded: a refusal costs a query, not a decode
        # (a key without the scope is left to admit's 403).
        if key is None or SCOPE_IMAGES in key.scopes:
            assert_gpu_capacity(data["n"])
        upload = uploads.accept(data["image"], mask=data.get("mask") if kind == "edit" else None, kind=kind)
    admit(user=request.user, key=key, scope=SCOPE_IMAGES, images=data["n"])
    return services.job_create(user=request.user, api_key=key, kind=kind, prompt=data.get("prompt", ""), n=data["n"],
                               size=data["size"], seed=data["seed"], response_format=data["response_format"],
                               end_user=data.get("user", ""), upload=upload,
                               from_prompt=data.get("from_prompt", ""), amount=data.get("amount"))


def _api_key(request) -> ApiKey | None:
    """Return the API key the request was authenticated with (None for a web session)."""
    return request.auth if isinstance(request.auth, ApiKey) else None


class HasScope(permissions.BasePermission):
    """Refuse (403 insufficient_scope) an API key without the view's ``required_scope``, reads included.

    A web session has no scopes and passes; signed-in state is checked by the default permission."""

    def has_permission(self, request, view) -> bool:
        key = _api_key(request)
        scope = getattr(view, "required_scope", None)
        if key is not None and scope and scope not in key.scopes:
            raise NotAdmitted(f"This API key lacks the '{scope}' scope.", code="insufficient_scope")
        return True


class _ScopedView(APIView):
    permission_classes = [permissions.IsAuthenticated, HasScope]
    required_scope = SCOPE_IMAGES


def _wait(job: Job) -> Job:
    """Poll until the job ends or is held; the OpenAI endpoints answer synchronously."""
    deadline = time.monotonic() + settings.HALLMARK["SYNC_TIMEOUT_S"]
    while time.monotonic() < deadline:
        job.refresh_from_db()
        if job.is_terminal or job.status == Job.Status.HELD:
            return job
        time.sleep(0.1)
    return job


def signed_url(request, image: Image) -> str:
    token = signing.TimestampSigner(salt=URL_SALT).sign(str(image.id))
    return request.build_absolute_uri(reverse("image-file", args=[image.id])) + f"?sig={token}"


def job_error(job: Job) -> ApiError:
    """Return the error a job that did not succeed stands for."""
    if job.status == Job.Status.HELD:
        return ApiError("Your request was held for human review. Poll the job for the outcome.", status=409,
                        code="held_for_review", extra={"job_id": str(job.id)})
    if job.status == Job.Status.BLOCKED:
        categories = sorted({c for d in job.decisions if d.get("action") != "allow" for c in d.get("categories", [])})
        return ApiError(f"Your request was rejected by the safety system: {job.error_message}", status=400,
                        code=job.error_code or "content_policy_violation", param=job.error_param or None,
                        extra={"categories": categories, "job_id": str(job.id)})
    if job.status == Job.Status.CANCELLED:
        return ApiError("The job was cancelled.", status=409, code="cancelled", extra={"job_id": str(job.id)})
    if job.status == Job.Status.FAILED:
        http = 400 if job.error_code == "invalid_request" else 500
        return ApiError(job.error_message or "Generation failed.", status=http, code=job.error_code or "generation_failed",
                        param=job.error_param or None, type="invalid_request_error" if http == 400 else "server_error",
                        extra={"job_id": str(job.id)})
    # A 4xx, not a 504: the job is fine, only the wait ended. OpenAI's clients raise it with the
    # body (job_id) and, told x-should-retry: false, do not post a second job.
    return ApiError(f"The job is still {job.status}; poll GET /v1/jobs/{job.id} for the result.", status=409,
                    code="job_pending", extra={"job_id": str(job.id)})


def images_payload(request, job: Job) -> list[dict]:
    items = []
    for image in job.images.all():
        if job.response_format == "b64_json":
            with image.file.open("rb") as fh:
                items.append({"b64_json": base64.b64encode(fh.read()).decode()})
        else:
            items.append({"url": signed_url(request, image)})
        # Extension to OpenAI's image object: whether the stamper read the watermark back.
        items[-1]["hallmark"] = {"record_id": image.record_id, "watermark_verified": image.watermark_verified}
    return items


def job_payload(request, job: Job) -> dict:
    out = {
        "id": str(job.id), "object": "image.job", "kind": job.kind, "status": job.status,
        "created": int(job.created.timestamp()), "n": job.n, "size": f"{job.size}x{job.size}",
        "progress": {"stage": job.progress_stage, "step": job.progress_step, "total": job.progress_total},
        "decisions": [{k: d.get(k) for k in ("surface", "action", "categories", "reason")} for d in job.decisions],
        "data": [], "error": None,
    }
    if job.kind == Job.Kind.RESTYLE:
        out["restyle"] = {"from_prompt": job.from_prompt, "amount": job.amount}
    if job.status == Job.Status.SUCCEEDED:
        out["data"] = [{"url": signed_url(request, image), "record_id": image.record_id,
                        "watermark_verified": image.watermark_verified} for image in job.images.all()]
    elif job.error_code:
        out["error"] = {"code": job.error_code, "message": job.error_message, "param": job.error_param or None}
    return out


# --- OpenAI-compatible endpoints ---------------------------------------------

class _ImagesView(_ScopedView):
    kind = "generation"
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    def post(self, request):
        job = _wait(_create_job(request, self.kind))
        if job.status != Job.Status.SUCCEEDED:
            raise job_error(job)
        return Response({"created": int(job.created.timestamp()), "data": images_payload(request, job)})


@extend_schema(request=GenerationIn, responses={200: IMAGES_OUT, **ERRORS})
class GenerationsView(_ImagesView):
    kind = "generation"


@extend_schema(request=EditIn, responses={200: IMAGES_OUT, **ERRORS})
class EditsView(_ImagesView):
    kind = "edit"


@extend_schema(request=VariationIn, responses={200: IMAGES_OUT, **ERRORS})
class VariationsView(_ImagesView):
    kind = "variation"


@extend_schema(request={"multipart/form-data": RestyleIn}, responses={200: IMAGES_OUT, **ERRORS},
               description="Hallmark extension: restyle a whole photo toward `prompt` (from `from_prompt`, "
                           "by `amount`) while keeping its layout. Request and response in the shape of "
                           "/v1/images/edits; face photos are refused as for edits.")
class RestylesView(_ImagesView):
    kind = "restyle"


@extend_schema(request=ModerationIn, responses={200: MODERATION_OUT, **ERRORS})
class ModerationsView(_ScopedView):
    required_scope = SCOPE_MODERATION

    def post(self, request):
        serializer = ModerationIn(data=request.data)
        serializer.is_valid(raise_exception=True)
        admit(user=request.user, key=_api_key(request), scope=SCOPE_MODERATION)
        moderator = runtime.ready_moderator()
        with cpu_slot():
            results = moderator.moderate(serializer.validated_data["input"])
        return Response({"id": f"modr-{int(time.time() * 1000)}", "model": "hallmark-moderation", "results": results})


@extend_schema(responses={200: OpenApiTypes.OBJECT})
class ModelsView(APIView):
    def get(self, request):
        created = 1700000000
        data = [{"id": name, "object": "model", "created": created, "owned_by": "hallmark"}
                for name in ("hallmark-unclip", "dall-e-2", "hallmark-moderation")]
        return Response({"object": "list", "data": data})


@extend_schema(responses={200: OpenApiTypes.OBJECT, 503: OpenApiTypes.OBJECT})
class HealthView(APIView):
    """Public and cheap (no database, no cache): is this web process up, and are its gates loaded?"""

    permission_classes = [permissions.AllowAny]
    authentication_classes = []

    def get(self, request):
        gates = runtime.gates_state()
        return Response({"status": "starting" if gates == "loading" else "ok", "gates": gates},
                        status=503 if gates == "loading" else 200)


# --- native asynchronous jobs ------------------------------------------------

class JobsView(_ScopedView):
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    @extend_schema(operation_id="v1_jobs_list", responses={200: OpenApiTypes.OBJECT})
    def get(self, request):
        jobs = Job.objects.filter(user=request.user).prefetch_related("images")[:50]
        return Response({"object": "list", "data": [job_payload(request, job) for job in jobs]})

    @extend_schema(request=GenerationIn, responses={202: OpenApiTypes.OBJECT})
    def post(self, request):
        # A serializer, not request.data.get: a JSON array, null or string body is a 400, not a 500.
        serializer = JobIn(data=request.data)
        serializer.is_valid(raise_exception=True)
        job = _create_job(request, serializer.validated_data["kind"])
        return Response(job_payload(request, job), status=status.HTTP_202_ACCEPTED)


@extend_schema(responses={200: OpenApiTypes.OBJECT})
class JobView(_ScopedView):
    def get(self, request, job_id):
        job = get_object_or_404(Job.objects.prefetch_related("images"), pk=job_id, user=request.user)
        return Response(job_payload(request, job))


@extend_schema(request=None, responses={200: OpenApiTypes.OBJECT})
class JobCancelView(_ScopedView):
    def post(self, request, job_id):
        job = get_object_or_404(Job, pk=job_id, user=request.user)
        try:
            job = services.job_cancel(job_id=job.id, actor=request.user)
        except services.JobConflict as exc:
            raise ApiError(str(exc), status=409, code="job_not_cancellable")
        return Response(job_payload(request, job))


# --- files and provenance ----------------------------------------------------

@extend_schema(responses={(200, "image/png"): OpenApiTypes.BINARY})
class ImageFileView(APIView):
    """Serve an output image to its owner, or to anyone holding an unexpired signed URL."""

    permission_classes = [permissions.AllowAny, HasScope]
    required_scope = SCOPE_IMAGES  # a key that comes along must hold it, even with a signed URL

    def get(self, request, image_id):
        image = Image.objects.select_related("job").filter(pk=image_id).first()
        if image is None:
            raise Http404
        sig = request.query_params.get("sig")
        allowed = False
        if sig:
            try:
                value = signing.TimestampSigner(salt=URL_SALT).unsign(sig, max_age=settings.HALLMARK["SIGNED_URL_TTL_S"])
                allowed = value == str(image.id)
            except signing.BadSignature:
                allowed = False
        if not allowed and request.user.is_authenticated and request.user.pk == image.job.user_id:
            allowed = True
        if not allowed:
            raise Http404  # the same answer for "not yours" and "not there"
        return files.png_response(image.file, filename=f"{image.record_id}.png")


@extend_schema(request={"multipart/form-data": VerifyIn}, responses={200: VERIFY_OUT, **ERRORS})
class VerifyView(APIView):
    """Public: read an image's provenance and map its record id back to the stored record."""

    permission_classes = [permissions.AllowAny]
    authentication_classes = []
    parser_classes = [MultiPartParser, FormParser]

    def post(self, request):
        cfg = settings.HALLMARK
        # Before the body is read: a flood is refused for the price of a counter (429, Retry-After).
        limits.count_client(address=request.META.get("REMOTE_ADDR") or "unknown", bucket="verify",
                            limit=cfg["VERIFY_RATE_PER_MINUTE"])
        request._request.max_upload_bytes = cfg["VERIFY_MAX_BYTES"]  # read by the streaming byte cap
        serializer = VerifyIn(data=request.data)
        serializer.is_valid(raise_exception=True)
        return Response(selectors.verify_upload(serializer.validated_data["file"]).to_dict())
