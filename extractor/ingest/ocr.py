"""Text recognition on page images with RapidOCR and the PP-OCRv6 Chinese models shipped in its wheel."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from extractor.errors import IngestError
from schemas.document import Word

_DET_MODEL = "PP-OCRv6_det_small.onnx"
_REC_MODEL = "PP-OCRv6_rec_small.onnx"


def create_engine(threads: int = 1):
    """A RapidOCR engine on the bundled PP-OCRv6 small det/rec models, angle classifier off.

    The model paths are given explicitly so that RapidOCR never reaches for its download
    fallback; `threads` bounds onnxruntime's intra-op pool so parallel workers don't fight
    over the same cores. Returns a `rapidocr.RapidOCR`.
    """
    import rapidocr  # imported here: it costs ~1 s and only OCR workers need it

    models = Path(rapidocr.__file__).parent / "models"
    for name in (_DET_MODEL, _REC_MODEL):
        if not (models / name).is_file():
            raise IngestError(f"RapidOCR model {name} is missing from {models}; reinstall rapidocr 3.x")
    params = {
        "Global.use_cls": False,  # upright scans: the classifier only flips short boxes (9.09 -> 60)
        "Global.log_level": "warning",
        "Det.model_path": str(models / _DET_MODEL),
        "Rec.model_path": str(models / _REC_MODEL),
        "EngineConfig.onnxruntime.intra_op_num_threads": threads,
        "EngineConfig.onnxruntime.inter_op_num_threads": 1,
    }
    return rapidocr.RapidOCR(params=params)


def recognize(engine, gray: np.ndarray, dpi: int) -> list[Word]:
    """The text lines RapidOCR finds in a grayscale page image, with boxes in PDF points."""
    result = engine(gray, use_cls=False)
    if result.boxes is None or result.txts is None:
        return []
    scale = 72.0 / dpi
    words = []
    for box, text, score in zip(result.boxes, result.txts, result.scores, strict=True):
        text = text.strip()
        if not text:
            continue
        xs, ys = box[:, 0], box[:, 1]
        bbox = (
            round(float(xs.min()) * scale, 2),
            round(float(ys.min()) * scale, 2),
            round(float(xs.max()) * scale, 2),
            round(float(ys.max()) * scale, 2),
        )
        words.append(Word(text=text, bbox=bbox, confidence=round(float(score), 4)))
    return words
