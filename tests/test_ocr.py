"""The OCR engine: bundled PP-OCRv6 models, and word boxes in PDF points whatever the render dpi."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pymupdf
import pytest
import rapidocr

from extractor.ingest.ocr import create_engine, recognize


@pytest.fixture(scope="module")
def engine():
    return create_engine(threads=1)


def test_engine_uses_the_pp_ocrv6_models_shipped_in_the_wheel(engine):
    bundled = Path(rapidocr.__file__).parent / "models"
    for section, name in ((engine.cfg.Det, "PP-OCRv6_det_small.onnx"), (engine.cfg.Rec, "PP-OCRv6_rec_small.onnx")):
        assert Path(section.model_path) == bundled / name
        assert (bundled / name).is_file()
    assert engine.cfg.Global.use_cls is False


def _render(text: str, dpi: int) -> tuple[np.ndarray, tuple[float, float, float, float]]:
    """A page with one line of text rendered at `dpi`, and the glyphs' box in points from the text layer."""
    with pymupdf.open() as document:
        page = document.new_page(width=300, height=120)
        page.insert_text((40, 70), text, fontname="china-s", fontsize=20)
        pixmap = page.get_pixmap(dpi=dpi, colorspace=pymupdf.csGRAY)
        gray = np.frombuffer(pixmap.samples, np.uint8).reshape(pixmap.height, pixmap.stride)[:, : pixmap.width]
        x0, y0, x1, y1 = (round(v, 1) for v in page.get_text("blocks")[0][:4])
        return gray.copy(), (x0, y0, x1, y1)


@pytest.mark.parametrize("dpi", [150, 200])
def test_word_boxes_are_in_points_at_any_dpi(engine, dpi):
    gray, (x0, y0, x1, y1) = _render("收入支出决算总表", dpi)
    (word,) = recognize(engine, gray, dpi)
    assert word.text == "收入支出决算总表"
    assert 0.9 < word.confidence <= 1
    # OCR boxes hug the ink with a little padding; the text layer's box spans the font's line height
    ox0, oy0, ox1, oy1 = word.bbox
    assert (ox0, ox1) == pytest.approx((x0, x1), abs=4)
    assert y0 - 3 <= oy0 < oy1 <= y1 + 3
    assert oy1 - oy0 > 0.6 * (y1 - y0)


def test_a_blank_image_has_no_words(engine):
    assert recognize(engine, np.full((300, 400), 255, np.uint8), 200) == []
