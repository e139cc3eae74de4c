"""Ship the bundled frameworks and notebooks inside the package without keeping a second copy.

Their one source is the repository's parameters/frameworks/ and notebooks/ (the repository is itself a
workbook); building the wheel copies them into evallib/data/ (see evallib/model/workbook.py: bundled).
"""
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

HERE = Path(__file__).resolve().parent
BUNDLED = {"frameworks": ("parameters/frameworks", "*.yaml"), "notebooks": ("notebooks", "*.ipynb")}


class BuildWithBundledData(build_py):
    def run(self):
        super().run()
        if getattr(self, "editable_mode", False):
            return  # an editable install reads them from the checkout itself
        for kind, (source, pattern) in BUNDLED.items():
            files = sorted((HERE / source).glob(pattern))
            if not files:
                raise SystemExit(f"no bundled {kind} in {source}")
            target = Path(self.build_lib) / "evallib" / "data" / kind
            self.mkpath(str(target))
            for f in files:
                self.copy_file(str(f), str(target / f.name))


setup(cmdclass={"build_py": BuildWithBundledData})
