#!/usr/bin/env bash
# Installs what is missing, and nothing else, so a second run costs a few seconds.
#  - Debian packages (fonts, poppler, ghostscript, chromium) when running as root and missing;
#  - .venv with torch==2.13.0 (local CPU build) and the dependencies of pyproject.toml, at the
#    versions pinned in constraints.txt (how to regenerate it: see its header).
# GPU kiosk: create .venv and install a CUDA torch into it first
#   (python3 -m venv .venv && .venv/bin/pip install torch --index-url <your CUDA wheel index>);
# this script keeps any torch it finds.
set -euo pipefail
cd "$(dirname "$0")/.."

DEB_PKGS="fonts-lxgw-wenkai fonts-arphic-ukai fonts-noto-cjk fonts-wqy-zenhei poppler-utils ghostscript chromium icc-profiles-free cups cups-client cage postgresql-client"
missing=""
for p in $DEB_PKGS; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
if [ -n "$missing" ]; then
  if [ "$(id -u)" = 0 ]; then
    echo "install: Debian packages:$missing"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing >/dev/null
  else
    echo "install: missing Debian packages (run as root or ask IT):$missing" >&2
  fi
fi

PY=${PYTHON:-python3}
[ -x .venv/bin/python ] || { echo "install: creating .venv"; "$PY" -m venv .venv; }
stamp=.venv/.kiosk-installed
if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ] || [ constraints.txt -nt "$stamp" ] \
   || [ scripts/install.sh -nt "$stamp" ]; then
  .venv/bin/python -m pip install -q --upgrade pip >/dev/null 2>&1 || true
  if ! .venv/bin/python -c "import torch" 2>/dev/null; then
    echo "install: torch==2.13.0"
    .venv/bin/pip install -q torch==2.13.0
  fi
  reqs=$(.venv/bin/python - <<'PYEOF'
import tomllib
p = tomllib.load(open("pyproject.toml", "rb"))["project"]
print("\n".join(p["dependencies"] + p["optional-dependencies"]["test"]))
PYEOF
)
  echo "install: Python dependencies"
  echo "$reqs" > .venv/requirements.txt
  # pip failing (e.g. a pin of constraints.txt that cannot be met) stops the script (pipefail)
  .venv/bin/pip install -q -r .venv/requirements.txt -c constraints.txt 2>&1 | { grep -v "^WARNING: Location" || true; }
  .venv/bin/python -c "import torch, streamlit, rapidocr, reportlab" # fail loudly if pip did not
  # open_clip ships the CLIP BPE vocabulary file we need; its code (and torchvision) is not used.
  .venv/bin/pip install -q --no-deps open_clip_torch==3.3.0 -c constraints.txt 2>&1 | { grep -v "^WARNING: Location" || true; }
  touch "$stamp"
fi

# The pinyin keyboard's candidate index (jieba + pypinyin + the museum phrase list), built once
# under $KIOSK_VAR (default var/) so the first visitor does not wait for it (~10-20 s).
.venv/bin/python -m textinput build-index --if-missing
