"""Ground-truth exercise videos from one photo (``facefit synth``); see :mod:`facefit.synth.clip`."""

from facefit.synth.clip import Clip, SynthFrame, iter_frames, make_clip, prepare_clip
from facefit.synth.face import PreparedFace, prepare_face
from facefit.synth.spec import DISTRACTORS, EXERCISES, FAULTS, ClipSpec, Fault
from facefit.synth.truth import Truth

__all__ = [
    "DISTRACTORS",
    "EXERCISES",
    "FAULTS",
    "Clip",
    "ClipSpec",
    "Fault",
    "PreparedFace",
    "SynthFrame",
    "Truth",
    "iter_frames",
    "make_clip",
    "prepare_clip",
    "prepare_face",
]
