"""Ingestion benchmark on the real PDFs in ../shared/pdfs: prints tables, asserts nothing.

(a) digital ingest with tables vs `pymupdf4llm.to_markdown`, ms/page, timed side by side;
(b) our OCR path vs raw RapidOCR on the same page images, s/page and overhead;
(c) OCR parallel speedup, jobs=1 vs jobs=2.

pymupdf4llm runs in its own process: importing it activates PyMuPDF's layout module for the whole
process, which must not leak into our timings. Repetitions alternate which side runs first.

Run: .venv/bin/python bench/bench_ingest.py [--reps N] [--skip-digital] [--skip-ocr]
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pymupdf

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from extractor.ingest import ingest  # noqa: E402
from extractor.ingest.options import IngestOptions  # noqa: E402
from extractor.ingest.pdf_scanned import ocr_pages  # noqa: E402

PDFS = ROOT.parent / "shared" / "pdfs"
OCR_PAGES = [
    ("putuo-finance-2024-final-accounts", 4),  # narrative text
    ("putuo-finance-2024-final-accounts", 6),  # 收入支出决算总表, 29 x 4
    ("putuo-finance-2024-final-accounts", 8),  # landscape 收入决算表, two-level header
    ("putuo-finance-2024-final-accounts", 16),  # 基本支出决算表, 22 x 8
]
DPI = 200


def _pymupdf4llm_seconds(path: str) -> float:
    """Runs in the pymupdf4llm process. use_ocr=False: these PDFs have a text layer, and with OCR on
    pymupdf4llm also runs RapidOCR over some digital pages, which would flatter us."""
    import pymupdf4llm

    start = time.perf_counter()
    pymupdf4llm.to_markdown(path, use_ocr=False)
    return time.perf_counter() - start


def _ingest_seconds(path: str) -> float:
    start = time.perf_counter()
    ingest(path)
    return time.perf_counter() - start


def bench_digital(reps: int) -> None:
    files = sorted(PDFS.glob("*.pdf"))
    pages = {f: pymupdf.open(f).page_count for f in files}
    context = multiprocessing.get_context("spawn")
    with context.Pool(1) as other:
        # warm-up: imports, pymupdf4llm's layout model
        _ingest_seconds(str(files[0]))
        other.apply(_pymupdf4llm_seconds, (str(files[0]),))
        ours: dict[Path, list[float]] = {f: [] for f in files}
        theirs: dict[Path, list[float]] = {f: [] for f in files}
        for rep in range(reps):
            for f in files:
                if rep % 2 == 0:
                    ours[f].append(_ingest_seconds(str(f)))
                    theirs[f].append(other.apply(_pymupdf4llm_seconds, (str(f),)))
                else:
                    theirs[f].append(other.apply(_pymupdf4llm_seconds, (str(f),)))
                    ours[f].append(_ingest_seconds(str(f)))
    print(f"\n(a) digital PDFs: ingest() with tables vs pymupdf4llm.to_markdown(use_ocr=False), "
          f"median of {reps}, ms/page")
    print(f"{'file':48} {'pages':>5} {'ours':>8} {'4llm':>8} {'ratio':>6}")
    total_pages = sum(pages.values())
    total_ours = total_theirs = 0.0
    for f in files:
        a, b = statistics.median(ours[f]), statistics.median(theirs[f])
        total_ours += a
        total_theirs += b
        print(f"{f.stem:48} {pages[f]:>5} {a / pages[f] * 1000:>8.1f} {b / pages[f] * 1000:>8.1f} {b / a:>5.1f}x")
    print(f"{'all':48} {total_pages:>5} {total_ours / total_pages * 1000:>8.1f} "
          f"{total_theirs / total_pages * 1000:>8.1f} {total_theirs / total_ours:>5.1f}x")
    print("floors: ours <= 100 ms/page, >= 3x faster than pymupdf4llm")


def _scanned_pdf(target: Path) -> Path:
    """The OCR benchmark pages rendered at 200 dpi into an image-only PDF."""
    with pymupdf.open() as scan:
        for name, number in OCR_PAGES:
            with pymupdf.open(PDFS / f"{name}.pdf") as document:
                page = document[number - 1]
                pixmap = page.get_pixmap(dpi=DPI, colorspace=pymupdf.csGRAY)
                new = scan.new_page(width=page.rect.width, height=page.rect.height)
                new.insert_image(new.rect, pixmap=pixmap)
        scan.save(target, deflate=True)
    return target


def _page_images(path: Path) -> list[np.ndarray]:
    images = []
    with pymupdf.open(path) as document:
        for page in document:
            pixmap = page.get_pixmap(dpi=DPI, colorspace=pymupdf.csGRAY)
            images.append(np.frombuffer(pixmap.samples, np.uint8).reshape(pixmap.height, pixmap.stride)
                          [:, : pixmap.width].copy())
    return images


def bench_ocr(reps: int, scan: Path) -> None:
    from rapidocr import RapidOCR

    raw = RapidOCR(params={"Global.use_cls": False, "Global.log_level": "warning"})
    images = _page_images(scan)
    one_job = IngestOptions(jobs=1)
    # warm-up: model loading on both sides
    raw(images[0], use_cls=False)
    ocr_pages(scan, [1], one_job)
    raw_s: list[list[float]] = [[] for _ in images]
    ours_s: list[list[float]] = [[] for _ in images]

    def run_raw(i: int) -> None:
        start = time.perf_counter()
        raw(images[i], use_cls=False)
        raw_s[i].append(time.perf_counter() - start)

    def run_ours(i: int) -> None:
        start = time.perf_counter()
        ocr_pages(scan, [i + 1], one_job)
        ours_s[i].append(time.perf_counter() - start)

    for rep in range(reps):
        for i in range(len(images)):
            first, second = (run_raw, run_ours) if (rep + i) % 2 == 0 else (run_ours, run_raw)
            first(i)
            second(i)
    print(f"\n(b) OCR: our path (render + OCR + ruling lines + tables) vs raw RapidOCR on the same "
          f"{DPI} dpi image, median of {reps}, s/page")
    print(f"{'page':44} {'raw':>7} {'ours':>7} {'overhead':>9}")
    for (name, number), a, b in zip(OCR_PAGES, raw_s, ours_s, strict=True):
        r, o = statistics.median(a), statistics.median(b)
        print(f"{name + ' p' + str(number):44} {r:>7.2f} {o:>7.2f} {(o - r) / r * 100:>8.1f}%")
    r = sum(statistics.median(a) for a in raw_s)
    o = sum(statistics.median(b) for b in ours_s)
    print(f"{'all':44} {r / len(images):>7.2f} {o / len(images):>7.2f} {(o - r) / r * 100:>8.1f}%")
    print("floor: overhead <= 10%")


def bench_parallel(reps: int, scan: Path) -> None:
    """jobs=1 vs jobs=2 as the product runs them, plus two reference points.

    The product gives each worker at least two cores, so on a 2-core machine jobs=2 runs in one
    process like jobs=1. "2 workers x 1 thread" lifts that cap to show what a pool of two does
    here; "jobs=1, 1 thread" is a plain one-page-at-a-time loop on one core.
    """
    from extractor.ingest import pdf_scanned
    from extractor.ingest.ocr import create_engine

    numbers = list(range(1, len(OCR_PAGES) + 1))
    all_cores_engine = pdf_scanned._engine  # created by bench_ocr (or the first jobs=1 call)
    one_thread_engine = create_engine(threads=1)
    min_threads = pdf_scanned._MIN_THREADS_PER_WORKER
    runs = ["jobs=1", "jobs=2", "2 workers x 1 thread", "jobs=1, 1 thread"]
    times: dict[str, list[float]] = {run: [] for run in runs}
    for rep in range(reps):
        for run in (runs if rep % 2 == 0 else runs[::-1]):
            pdf_scanned._engine = one_thread_engine if run == "jobs=1, 1 thread" else all_cores_engine
            pdf_scanned._MIN_THREADS_PER_WORKER = 1 if run == "2 workers x 1 thread" else min_threads
            start = time.perf_counter()
            ocr_pages(scan, numbers, IngestOptions(jobs=1 if run.startswith("jobs=1") else 2))
            times[run].append(time.perf_counter() - start)
    pdf_scanned._engine = all_cores_engine
    pdf_scanned._MIN_THREADS_PER_WORKER = min_threads
    median = {run: statistics.median(values) for run, values in times.items()}
    print(f"\n(c) OCR parallel: {len(numbers)} pages, wall time incl. worker start-up, median of {reps}")
    for run in runs:
        print(f"{run:22} {median[run]:7.2f} s ({median[run] / len(numbers):.2f} s/page)"
              f"   speedup over 'jobs=1, 1 thread' {median['jobs=1, 1 thread'] / median[run]:.2f}x")
    print(f"speedup jobs=2 vs jobs=1: {median['jobs=1'] / median['jobs=2']:.2f}x "
          f"(workers capped at cores // {min_threads} = {max(1, (os.cpu_count() or 1) // min_threads)})")
    print("floor: speedup >= 1.7x")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--reps", type=int, default=2, help="repetitions per measurement (median)")
    parser.add_argument("--skip-digital", action="store_true")
    parser.add_argument("--skip-ocr", action="store_true")
    args = parser.parse_args()
    print(f"cpu cores: {os.cpu_count()}, load average at start: {os.getloadavg()[0]:.2f}")
    if not args.skip_digital:
        bench_digital(args.reps)
    if not args.skip_ocr:
        with tempfile.TemporaryDirectory() as tmp:
            scan = _scanned_pdf(Path(tmp) / "scan.pdf")
            bench_ocr(args.reps, scan)
            bench_parallel(args.reps, scan)
    print(f"\nload average at end: {os.getloadavg()[0]:.2f} (above {os.cpu_count()} means other work "
          "shared the cores while measuring)")


if __name__ == "__main__":
    main()
