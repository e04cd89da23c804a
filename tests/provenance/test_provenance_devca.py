"""The development CA command writes a chain C2PA accepts, once."""

from __future__ import annotations

import stat
import subprocess
import sys
from pathlib import Path

from cryptography import x509
from cryptography.x509.oid import ExtendedKeyUsageOID

from provenance import devca

ROOT = Path(__file__).resolve().parents[2]


def test_the_command_writes_anchor_chain_and_private_key(tmp_path):
    out = tmp_path / "keys"
    run = subprocess.run([sys.executable, "-m", "provenance.devca", str(out)], cwd=ROOT, capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    assert sorted(p.name for p in out.iterdir()) == ["ca.pem", "signer-chain.pem", "signer.key"]
    assert stat.S_IMODE((out / "signer.key").stat().st_mode) == 0o600

    ca = x509.load_pem_x509_certificate((out / "ca.pem").read_bytes())
    leaf, chain_ca = x509.load_pem_x509_certificates((out / "signer-chain.pem").read_bytes())
    assert chain_ca == ca
    assert ca.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
    usage = leaf.extensions.get_extension_for_class(x509.KeyUsage)
    assert usage.critical and usage.value.digital_signature and not usage.value.key_cert_sign
    eku = leaf.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
    assert ExtendedKeyUsageOID.EMAIL_PROTECTION in eku
    leaf.verify_directly_issued_by(ca)


def test_creating_twice_keeps_the_first_credentials(tmp_path):
    first = devca.create(tmp_path)
    before = [p.read_bytes() for p in (first.ca, first.chain, first.key)]
    second = devca.create(tmp_path)
    assert second == first
    assert [p.read_bytes() for p in (second.ca, second.chain, second.key)] == before
    assert devca.create(tmp_path, force=True).ca.read_bytes() != before[0]
