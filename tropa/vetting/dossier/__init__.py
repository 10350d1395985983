"""The dossier: a PDF for people and a signed manifest for machines, in one tar file.

    README.txt           how to check the dossier with openssl alone
    manifest.json        what was checked, by which role, when, on what basis (signed)
    manifest.json.sig    Ed25519 signature of manifest.json by the organization's key
    signing-key.pem      that public key (compare its fingerprint with the published one)
    dossier.pdf          the same for people, in the recipient's language; its SHA-256 is
                         in the manifest, so the signature covers it too
    SHA256SUMS           for ``sha256sum -c SHA256SUMS``

The signing key, the tar writer and the signature and checksum checks are the evidence
bundle's (``tropa.evidence.bundle``). ``build`` reads the database, ``verifying`` does not.
"""

from __future__ import annotations

FORMAT = "tropa-dossier/1"
PDF_NAME = "dossier.pdf"
MEMBERS = ("README.txt", "manifest.json", "manifest.json.sig", "signing-key.pem", PDF_NAME)
