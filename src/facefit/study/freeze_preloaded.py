"""The fork server's last preload (facefit/study/forkserver.py PRELOAD): freeze what it has imported.

Everything the server imported (MediaPipe, ONNX Runtime, Dask, numpy) moves to the garbage collector's
permanent generation, so neither the server's own exit nor a collection in a worker forked from it walks
those objects again. The server exits only after ``facefit study analyze`` has, and while it walked them
the command's output pipe stayed open: a caller reading the command's output (as bench/bench_study.py
does) waited ~0.3 s for that walk, ~0.1 s with it frozen.
"""

import gc

gc.freeze()
