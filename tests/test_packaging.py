"""environment.yml (conda route) stays in step with pyproject.toml and requirements.lock."""
import re
import tomllib

import yaml

from conftest import ROOT


def _name(spec: str) -> str:
    return re.split(r"[<>=!~ \[]", spec.strip())[0].lower().replace("_", "-")


def test_environment_yml_matches_python_packaging():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    wanted = {_name(d) for d in project["dependencies"]}
    for extra in project["optional-dependencies"].values():
        wanted |= {_name(d) for d in extra}
    lock = {}
    for line in (ROOT / "requirements.lock").read_text().splitlines():
        if "==" in line and not line.startswith("#"):
            name, version = line.split("==", 1)
            lock[_name(name)] = version.strip()
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    listed = {}
    for dep in env["dependencies"]:
        if isinstance(dep, dict):
            for pip_dep in dep["pip"]:
                if "==" in pip_dep:
                    name, version = pip_dep.split("==")
                    listed[_name(name)] = version
        elif "=" in dep and not dep.startswith("python="):
            name, version = dep.split("=", 1)
            listed[_name(name)] = version
    assert set(listed) == wanted, f"only in environment.yml: {set(listed) - wanted}; missing: {wanted - set(listed)}"
    for name, version in listed.items():
        assert lock.get(name) == version, f"{name}: environment.yml {version}, requirements.lock {lock.get(name)}"
