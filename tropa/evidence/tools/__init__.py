"""The system tools Tropa uses on files: exiftool, ffprobe, ffmpeg and mat2.

Each is optional: when one is missing Tropa says so (item page, ``tropa doctor``) and
carries on without that feature. Files reach the tools through pipes, decrypted block by
block, so that no plaintext touches the disk. mat2 alone needs a named file: it gets one in
a RAM-backed directory (tmpfs) that is removed at once, and is skipped where there is none;
what a killed run leaves there is removed when a worker starts and by the sweep.

The package keeps its concerns apart: ``run`` (which tools, their versions, a run under
limits on a stream), ``metadata`` (reading and normalizing), ``strip`` (thumbnails and
copies without metadata) and ``scratch`` (mat2's RAM workspaces). Callers use the names
here; a test that replaces one replaces it in the module that looks it up.
"""

from .metadata import conflicts, exiftool_json, ffprobe_json, normalize
from .run import TOOL_TIMEOUT, TOOLS, Tool, _command, available, missing, run_on_stream, version
from .scratch import SCRATCH_PREFIX, _ram_workspace, clean_scratch, mat2_usable, scratch_root
from .strip import exiftool_strip, mat2_strip, orientation, restore_orientation, thumbnail

__all__ = [
    "SCRATCH_PREFIX",
    "TOOLS",
    "TOOL_TIMEOUT",
    "Tool",
    "_command",
    "_ram_workspace",
    "available",
    "clean_scratch",
    "conflicts",
    "exiftool_json",
    "exiftool_strip",
    "ffprobe_json",
    "mat2_strip",
    "mat2_usable",
    "missing",
    "normalize",
    "orientation",
    "restore_orientation",
    "run_on_stream",
    "scratch_root",
    "thumbnail",
    "version",
]
