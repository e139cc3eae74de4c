"""Side by side: the same report.html files to PDF with Chromium (browser kept open) and WeasyPrint.

    python benchmarks/bench_pdf.py outputs/*/report.html [--rounds 3]

For each engine and report: seconds per report (median of the rounds; Chromium's browser start is
paid before the first round and reported apart), pages, the fonts `pdffonts` lists, and whether every
round wrote the same bytes. Then whether a second process (a new browser) writes the same bytes.
Compare the two engines within one invocation only: the machine is shared.
"""
from __future__ import annotations

import argparse
import collections
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


FONT_TYPE = re.compile(r" (CID TrueType|CID Type 0C \(OT\)|CID Type 0C|CID Type 0|Type 3|Type 1C|Type 1|TrueType) ")


def fonts(pdf: Path) -> str:
    """The font types `pdffonts` lists, counted (names may be longer than their column)."""
    lines = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True).stdout.splitlines()[2:]
    kinds = collections.Counter(FONT_TYPE.search(line).group(1) + (" subset" if "+" in line.split()[0] else "")
                                + (" embedded" if re.search(r" yes\s+(yes|no)\s+(yes|no)\s", line) else "")
                                for line in lines if line.strip())
    return ", ".join(f"{n}× {kind}" for kind, n in sorted(kinds.items()))


def pages(pdf: Path) -> int:
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    return int(re.search(r"^Pages:\s+(\d+)", info, re.M).group(1))


def run(engine: str, htmls: list[Path], rounds: int, out: Path) -> None:
    from evallib.export import pdf, pdf_chromium

    convert = pdf_chromium.html_to_pdf if engine == "chromium" else pdf.html_to_pdf
    if engine == "chromium":
        from evallib.export.pdf_font import truetype_font

        truetype_font()
        started = time.perf_counter()
        pdf_chromium._printer()
        print(f"chromium: browser start {time.perf_counter() - started:.2f} s (once per worker)")
    for html in htmls:
        times, digests = [], set()
        for r in range(rounds):
            target = out / f"{engine}-{html.parent.name}-{r}.pdf"
            started = time.perf_counter()
            convert(html, target)
            times.append(time.perf_counter() - started)
            digests.add(target.read_bytes())
        print(f"{engine:10} {html.parent.name:32} {statistics.median(times):6.2f} s/report "
              f"(rounds: {', '.join(f'{t:.2f}' for t in times)})  {pages(target)} pages  {fonts(target)}  "
              f"reruns identical: {'yes' if len(digests) == 1 else 'NO'}")
    if engine == "chromium":
        pdf_chromium.close()


def cross_process(engine: str, html: Path, out: Path) -> bool:
    module = "pdf_chromium" if engine == "chromium" else "pdf"
    code = (f"import sys; from pathlib import Path; from evallib.export.{module} import html_to_pdf; "
            "html_to_pdf(Path(sys.argv[1]), Path(sys.argv[2]))")
    target = out / f"{engine}-{html.parent.name}-other-process.pdf"
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    subprocess.run([sys.executable, "-c", code, str(html), str(target)], check=True, env=env)
    return target.read_bytes() == (out / f"{engine}-{html.parent.name}-0.pdf").read_bytes()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("html", nargs="+", type=Path)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--engines", default="chromium,weasyprint")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-pdf-") as tmp:
        out = Path(tmp)
        for engine in args.engines.split(","):
            run(engine, args.html, args.rounds, out)
        for engine in args.engines.split(","):
            same = cross_process(engine, args.html[0], out)
            print(f"{engine}: a second process writes the same bytes for {args.html[0].parent.name}: {'yes' if same else 'NO'}")


if __name__ == "__main__":
    main()
