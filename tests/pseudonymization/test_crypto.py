"""The pure crypto layer: envelope pieces, blind index, codes and master-key parsing."""

from __future__ import annotations

import base64
import re

import pytest

from pseudonymization import crypto


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode()


def test_a_sealed_value_opens_only_with_its_key_and_its_context():
    key = crypto.generate_key()
    sealed = crypto.seal(key, b"secret", aad=b"ctx-1")
    assert crypto.open_sealed(key, sealed, aad=b"ctx-1") == b"secret"
    with pytest.raises(crypto.DecryptionError):
        crypto.open_sealed(key, sealed, aad=b"ctx-2")
    with pytest.raises(crypto.DecryptionError):
        crypto.open_sealed(crypto.generate_key(), sealed, aad=b"ctx-1")


def test_sealing_twice_gives_different_ciphertexts():
    key = crypto.generate_key()
    assert crypto.seal(key, b"same", aad=b"") != crypto.seal(key, b"same", aad=b"")


def test_the_blind_index_matches_case_variants_but_depends_on_the_key():
    key = crypto.generate_key()
    assert crypto.blind_index(key, "AbC123") == crypto.blind_index(key, "abc123")
    assert crypto.blind_index(key, "abc123") != crypto.blind_index(crypto.generate_key(), "abc123")
    assert "abc123" not in crypto.blind_index(key, "abc123")


def test_external_ids_are_normalized_and_bad_ones_rejected():
    assert crypto.normalize_external_id("  5f1a2b\n") == "5f1a2b"
    assert crypto.normalize_external_id("\uff21\uff22\uff23") == "ABC"  # full-width letters typed on a phone
    for bad in ("", "   ", "a" * 129, "abc\x00def", 12345, None):
        with pytest.raises(crypto.InvalidExternalId):
            crypto.normalize_external_id(bad)


def test_participant_codes_are_readable_and_avoid_look_alike_characters():
    codes = {crypto.new_participant_code() for _ in range(200)}
    assert len(codes) == 200
    for code in codes:
        assert re.fullmatch(r"P-[2-9A-HJKMNP-TV-Z]{4}-[2-9A-HJKMNP-TV-Z]{4}", code)


def test_master_keys_parse_current_first_and_reject_malformed_values():
    first, second = crypto.generate_key(), crypto.generate_key()
    keys = crypto.parse_master_keys(f"{_b64(first)}, {_b64(second)}")
    assert [k.key for k in keys] == [first, second]
    assert keys[0].key_id == crypto.key_id_of(first)
    assert _b64(first) not in repr(keys)
    with pytest.raises(crypto.KeyConfigurationError, match="not set"):
        crypto.parse_master_keys("")
    with pytest.raises(crypto.KeyConfigurationError, match="16 bytes"):
        crypto.parse_master_keys(_b64(b"x" * 16))
    with pytest.raises(crypto.KeyConfigurationError, match="not base64"):
        crypto.parse_master_keys("not*base64*at*all")
    with pytest.raises(crypto.KeyConfigurationError, match="twice"):
        crypto.parse_master_keys(f"{_b64(first)},{_b64(first)}")


def test_the_development_key_is_recognised():
    (key,) = crypto.parse_master_keys(crypto.development_master_key())
    assert key.is_development
    assert not crypto.parse_master_keys(_b64(crypto.generate_key()))[0].is_development
