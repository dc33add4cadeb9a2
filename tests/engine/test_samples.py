import numpy as np
import pytest

from kord_engine.errors import SampleFormatError
from kord_engine.samples import (
    SAMPLE_BYTES,
    Sample,
    decode_sample,
    ids_to_mask,
    list_samples,
    read_sample,
    write_sample,
)


def test_captured_file_names_match_their_labels(shared_dir):
    paths = list_samples(shared_dir / "data/samples/captured")
    assert len(paths) == 132
    for path in paths:
        sample = read_sample(path)
        names = path.stem.split("_")[:-1]
        assert len(sample.note_ids) == len(names), path.name
        assert sample.spectrum.shape == (8192,)


def test_a2_is_bit_33_and_c5_bit_60(shared_dir):
    s = read_sample(next((shared_dir / "data/samples/captured").glob("A2_C3_E3_F♯3_*.bin")))
    assert s.note_ids == (33, 36, 40, 42)


def test_roundtrip(tmp_path):
    spec = np.linspace(0, 1, 8192, dtype=np.float32)
    path = write_sample(Sample(spec, ids_to_mask([48, 52, 55])), tmp_path)
    assert path.name.startswith("C4_E4_G4_")
    back = read_sample(path)
    assert back.mask == ids_to_mask([48, 52, 55])
    np.testing.assert_array_equal(back.spectrum, spec)


@pytest.mark.parametrize("size", [0, 100, SAMPLE_BYTES - 1, SAMPLE_BYTES + 1])
def test_wrong_size_is_a_clear_error(size):
    with pytest.raises(SampleFormatError, match="32784 bytes"):
        decode_sample(b"\0" * size)


def test_nan_spectrum_is_rejected():
    data = np.full(8192, np.nan, dtype=">f4").tobytes() + bytes(16)
    with pytest.raises(SampleFormatError, match="NaN"):
        decode_sample(data)
