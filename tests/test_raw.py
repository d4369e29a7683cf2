import hashlib

import helpers


def test_raw_gazette_is_byte_identical_to_the_source():
    ed = helpers.edition()
    digest = hashlib.sha256(ed.raw_path.read_bytes()).hexdigest()
    assert digest == ed.raw_sha256
    assert len(digest) == 64
