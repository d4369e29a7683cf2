import hashlib

from helpers import paths


def test_raw_gazette_is_byte_identical_to_the_source():
    digest = hashlib.sha256(paths.raw_text_path().read_bytes()).hexdigest()
    assert digest == paths.RAW_SHA256 == "f514b3b613736213402612b8483e6783d0b75d5530939d9631cf37290d286157"
