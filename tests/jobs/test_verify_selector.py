"""Verifying a stored output finds its record through the manifest; the studio's panel reads the typed verdict."""
from __future__ import annotations

import io

import pytest

pytestmark = pytest.mark.django_db


def test_a_stamped_output_is_found_by_its_manifest_and_summarised_for_the_panel(gated_job, pictures, signing_keys,
                                                                               tiny_model_dir):
    from jobs import finishing, selectors, services
    from studio import provenance_panel

    job = gated_job()
    attempt = services.job_claim(job_id=job.id)
    outputs, _ = finishing.job_gate_outputs(attempt=attempt, images=pictures)
    stamped = finishing.job_stamp(attempt=attempt, images=pictures)
    assert finishing.job_store(attempt=attempt, stamped=stamped, outputs=outputs) == "succeeded"
    with stamped[0].file.open("rb") as fh:
        data = fh.read()

    verification = selectors.verify_upload(io.BytesIO(data))
    assert verification.verdict.manifest_state == "valid"
    assert verification.record["record_id"] == stamped[0].record_id
    assert verification.record["found_by"] == "manifest"
    body = verification.to_dict()
    assert body["provenance"]["resolved_record_id"] == stamped[0].record_id  # the API's body

    panel = provenance_panel.summarise(verification)
    assert (panel["state"], panel["kind"], panel["record_id"]) == ("valid", "generation", stamped[0].record_id)


def test_an_empty_file_is_refused_as_a_domain_error_naming_the_field():
    from jobs import intake, selectors

    with pytest.raises(intake.UploadRejected) as caught:
        selectors.verify_upload(io.BytesIO(b""))
    assert (caught.value.code, caught.value.param) == ("invalid_image", "file")
