# Shared set-up of ./ops/run and ./ops/test (sourced, not run). From the repository root:
# find Python >= 3.11, create .venv, and `pip install -e` the project and every plugin under
# plugins/*/ — skipped when no pyproject.toml changed since the last install (stamp file
# var/install.stamp holds a hash of them and of the Python version).

cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT="$(pwd)"
VENV="$ROOT/.venv"

export ZARGAR_OPS_STARTED="$(date +%s.%N)"
_elapsed() { awk -v t0="$ZARGAR_OPS_STARTED" -v now="$(date +%s.%N)" 'BEGIN { printf "%5.1fs", now - t0 }'; }
if [ -t 1 ]; then
    step() { printf '\033[1;33m==>\033[0m [%s] %s\n' "$(_elapsed)" "$*"; }
else
    step() { printf '==> [%s] %s\n' "$(_elapsed)" "$*"; }
fi

find_python() {
    local candidate
    for candidate in ${PYTHON:-} python3.13 python3.12 python3.11 python3; do
        if command -v "$candidate" >/dev/null 2>&1 \
            && "$candidate" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
            command -v "$candidate"
            return 0
        fi
    done
    echo "Zargar needs Python 3.11 or newer (set PYTHON=/path/to/python3.x)." >&2
    return 1
}

install_hash() {
    {
        "$VENV/bin/python" -c 'import sys; print(sys.version)'
        for f in pyproject.toml plugins/*/pyproject.toml; do
            [ -f "$f" ] && { echo "$f"; cat "$f"; }
        done
    } | sha256sum | cut -d' ' -f1
}

bootstrap() {
    mkdir -p var/static  # STATIC_ROOT: WhiteNoise warns when it is missing
    if [ ! -x "$VENV/bin/python" ]; then
        local python
        python="$(find_python)"
        step "Creating the virtualenv .venv ($("$python" --version))"
        "$python" -m venv "$VENV"
    fi
    local stamp="var/install.stamp" want
    want="$(install_hash)"
    if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
        local editables=(-e '.[test]') plugin
        for plugin in plugins/*/; do
            [ -f "$plugin/pyproject.toml" ] && editables+=(-e "${plugin%/}")
        done
        step "Installing Zargar and its dependencies into .venv: pip install ${editables[*]}"
        "$VENV/bin/python" -m pip install --disable-pip-version-check --progress-bar off "${editables[@]}"
        echo "$want" > "$stamp"
    else
        step "Dependencies up to date (.venv)"
    fi
}
