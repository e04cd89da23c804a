"""Create a development certificate authority and a C2PA signing certificate.

Run ``python -m provenance.devca DIR`` (or call :func:`create`) to write:

* ``DIR/ca.pem``: the development CA certificate, the trust anchor to configure
  on verifiers that should read the platform's manifests as *trusted*;
* ``DIR/signer-chain.pem``: the signing (leaf) certificate followed by the CA;
* ``DIR/signer.key``: the leaf's private key (PKCS#8 PEM, mode 0600).

The command is idempotent: an existing, complete set of files is left alone so
that manifests signed earlier keep validating against the same anchor.
These credentials are for development and demos only; production deployments
configure a certificate issued by a CA that C2PA validators trust.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

__all__ = ["DevCAPaths", "create", "main"]

CA_FILE = "ca.pem"
CHAIN_FILE = "signer-chain.pem"
KEY_FILE = "signer.key"


@dataclass(frozen=True)
class DevCAPaths:
    """Paths of the files written by :func:`create`."""

    ca: Path
    chain: Path
    key: Path


def _name(common_name: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "US"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Hallmark Development"),
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
        ]
    )


def _write_private(path: Path, data: bytes) -> None:
    # Create with 0600 from the start so the key is never world-readable, even briefly.
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.fchmod(fd, 0o600)  # O_CREAT's mode does not apply to a file that already existed (force=True)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)


def create(directory: str | os.PathLike[str], *, force: bool = False) -> DevCAPaths:
    """Write a development CA and an ES256 signing certificate into ``directory``.

    Args:
        directory: Folder to write into; created if missing.
        force: Replace existing files instead of keeping them.

    Returns:
        The paths of the trust anchor, the signer chain and the signer key.
    """
    out = Path(directory)
    out.mkdir(parents=True, exist_ok=True)
    paths = DevCAPaths(out / CA_FILE, out / CHAIN_FILE, out / KEY_FILE)
    if not force and all(p.is_file() and p.stat().st_size > 0 for p in (paths.ca, paths.chain, paths.key)):
        return paths

    now = dt.datetime.now(dt.timezone.utc) - dt.timedelta(minutes=5)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = _name("Hallmark Development Root CA")
    ca_ski = x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key())
    ca_cert = (
        x509.CertificateBuilder()
        .subject_name(ca_name)
        .issuer_name(ca_name)
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now)
        .not_valid_after(now + dt.timedelta(days=3650))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=False,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(ca_ski, critical=False)
        .sign(ca_key, hashes.SHA256())
    )

    leaf_key = ec.generate_private_key(ec.SECP256R1())
    leaf_cert = (
        x509.CertificateBuilder()
        .subject_name(_name("Hallmark Development Signer"))
        .issuer_name(ca_name)
        .public_key(leaf_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now)
        .not_valid_after(now + dt.timedelta(days=825))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        # C2PA validators require digitalSignature (critical) and reject leaves
        # that can sign certificates; emailProtection is one of the EKUs the
        # C2PA trust model accepts for claim signers.
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.EMAIL_PROTECTION]), critical=False)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(leaf_key.public_key()), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(ca_ski), critical=False)
        .sign(ca_key, hashes.SHA256())
    )

    pem = serialization.Encoding.PEM
    paths.ca.write_bytes(ca_cert.public_bytes(pem))
    paths.chain.write_bytes(leaf_cert.public_bytes(pem) + ca_cert.public_bytes(pem))
    _write_private(
        paths.key,
        leaf_key.private_bytes(pem, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()),
    )
    return paths


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point: ``python -m provenance.devca DIR [--force]``."""
    parser = argparse.ArgumentParser(prog="python -m provenance.devca", description=__doc__.splitlines()[0])
    parser.add_argument("directory", help="folder to write ca.pem, signer-chain.pem and signer.key into")
    parser.add_argument("--force", action="store_true", help="replace existing files")
    args = parser.parse_args(argv)
    paths = create(args.directory, force=args.force)
    print(f"trust anchor: {paths.ca}\nsigner chain: {paths.chain}\nsigner key:   {paths.key}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
