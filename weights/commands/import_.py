from weights.commands.progress import Progress
from weights.commands.model_check import check_keys
from weights.importing import import_path
from weights.store import status


def import_cmd(args) -> int:
    for line in import_path(args.path, args.dir, progress=Progress(), model_check=check_keys):
        print(line)
    st = status(args.dir)
    print(f"kiosk backend: {st.backend} ({st.reason})")
    return 0
