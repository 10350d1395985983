"""The system tools Tropa uses on files: exiftool, ffprobe, ffmpeg and mat2.

Each is optional: when one is missing Tropa says so (item page, ``tropa doctor``) and
carries on without that feature. The tools read a file through a loopback range server
(``serve``) that decrypts each range as it is asked for, so they seek as on a file (an MP4
with its index at the end) and read only what they need, and no plaintext touches a disk,
/dev/shm or the temp dir. mat2 alone needs a named file: it gets one in a tmpfs mounted in
a mount namespace of its own, which no other process sees and the kernel frees when mat2
ends; where none can be made, exiftool strips in a pipe. ``scratch`` only removes what
older versions left in the RAM dir.

The package keeps its concerns apart: ``run`` (which tools, their versions, a run under
limits on a stream or a range), ``serve`` (the range server), ``metadata`` (reading and
normalizing), ``strip`` (thumbnails and copies without metadata) and ``scratch``. Callers
use the names here; a test that replaces one replaces it in the module that looks it up.
"""

from .metadata import conflicts, exiftool_json, ffprobe_json, normalize
from .run import (
    TOOL_TIMEOUT,
    TOOLS,
    Tool,
    ToolFailed,
    _command,
    available,
    missing,
    run_on_range,
    run_on_stream,
    version,
)
from .scratch import SCRATCH_PREFIX, _ram_workspace, clean_scratch, scratch_root
from .serve import Served, serve
from .strip import (
    WHOLE_COPY_MAX,
    exiftool_strip,
    mat2_strip,
    mat2_usable,
    orientation,
    private_tmpfs_works,
    restore_orientation,
    stream_strip,
    stream_strippable,
    thumbnail,
)

__all__ = [
    "SCRATCH_PREFIX",
    "TOOLS",
    "TOOL_TIMEOUT",
    "WHOLE_COPY_MAX",
    "Served",
    "Tool",
    "ToolFailed",
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
    "private_tmpfs_works",
    "restore_orientation",
    "run_on_range",
    "run_on_stream",
    "scratch_root",
    "serve",
    "stream_strip",
    "stream_strippable",
    "thumbnail",
    "version",
]
