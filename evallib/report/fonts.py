"""The one CJK font the reports use: Noto Sans CJK SC (SIL OFL) shipped by the mplfonts package.

Only that single file is ever registered or pointed at (mplfonts also ships a commercial
font; never the whole folder).
"""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

FONT_FAMILY = "Noto Sans CJK SC"
FONT_FILE = "NotoSansCJKsc-Regular.otf"

# CSS font stack: the Noto font where installed, then the usual Chinese system fonts.
CSS_FONT_STACK = ('"Noto Sans CJK SC", "Source Han Sans SC", "Microsoft YaHei", "PingFang SC", '
                  '"Hiragino Sans GB", "WenQuanYi Micro Hei", SimSun, sans-serif')


@lru_cache(maxsize=1)
def font_path() -> Path:
    import mplfonts

    path = Path(mplfonts.__file__).parent / "fonts" / FONT_FILE
    if not path.is_file():
        raise FileNotFoundError(f"找不到中文字体文件 {path}（mplfonts 安装不完整）")
    return path


@lru_cache(maxsize=1)
def register_matplotlib() -> str:
    """Register the Noto file (by path) with matplotlib's font manager; return the family name."""
    from matplotlib import font_manager

    font_manager.fontManager.addfont(str(font_path()))
    return FONT_FAMILY


def fontconfig_file(folder: Path) -> Path:
    """Write a fontconfig file that adds a folder holding only the Noto file to the system fonts.

    Set the environment variable FONTCONFIG_FILE to the returned path before starting a
    browser or PDF engine on a machine without a CJK system font.
    """
    folder = Path(folder)
    fonts = folder / "fonts"
    fonts.mkdir(parents=True, exist_ok=True)
    link = fonts / FONT_FILE
    if not link.exists():
        try:
            link.symlink_to(font_path())
        except OSError:
            link.write_bytes(font_path().read_bytes())
    conf = folder / "fonts.conf"
    conf.write_text(
        '<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "fonts.dtd">\n<fontconfig>\n'
        '  <include ignore_missing="yes">/etc/fonts/fonts.conf</include>\n'
        f"  <dir>{fonts}</dir>\n  <cachedir>{folder / 'cache'}</cachedir>\n</fontconfig>\n",
        encoding="utf-8")
    return conf
