"""Package discovery that pyproject.toml cannot express: resources/ ships as `kord_resources`."""

from setuptools import find_packages, setup

setup(
    packages=find_packages(include=["kord_engine*", "kord_desktop*"]) + ["kord_resources"],
    package_dir={"kord_resources": "resources"},
)
