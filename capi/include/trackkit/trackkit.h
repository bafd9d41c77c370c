/* trackkit C ABI 1.1 (C99). The contract is docs/c-abi.md; in short:
 *  - every function that can fail returns tk_status; on failure tk_last_error() (thread-local) says why, naming the
 *    argument at fault; on success it is "" again. No C++ exception crosses this boundary; only tk_* symbols are
 *    exported, each in the symbol-version node of the ABI minor that added it (TRACKKIT_1.0, TRACKKIT_1.1).
 *  - objects are opaque handles made by tk_*_create / tk_*_open and released by tk_*_destroy / tk_*_close; each
 *    handle type says in its header whether it may be used from several threads at once.
 *  - every struct that crosses the boundary starts with `size_t struct_size`. Configs are initialised in place by
 *    tk_*_init(&config, sizeof config) and never returned or copied whole by the library; output structs are set
 *    the same way before the call fills them. The library reads and writes only struct_size bytes, so a program
 *    built against an older (smaller) struct keeps working with a newer library, and a newer program's fields that
 *    an older library does not know are accepted when they are zero (TK_ERR_UNSUPPORTED otherwise).
 *  - tensors go in as borrowed DLPack DLTensor views (no copy; any legal strides; valid for the duration of the
 *    call) and come out as DLManagedTensorVersioned the caller owns (hand them to numpy / torch / cupy from_dlpack,
 *    or release them with tk_tensor_free).
 *  - CUDA work runs on a stream the caller chooses: per handle (tk_*_set_cuda_stream) or per call (the cuda_stream
 *    argument of the functions without a handle); NULL is LibTorch's current stream of the device. Inputs must be
 *    ready on that stream; outputs are ready on it when the call returns (no host synchronisation implied). */
#ifndef TRACKKIT_TRACKKIT_H
#define TRACKKIT_TRACKKIT_H

#include "trackkit/c/core.h" /* status, versions, tensors, boxes, NMS, logging */
/* The components (each header may also be included alone). */
#include "trackkit/c/detector.h"
#include "trackkit/c/e2p.h"
#include "trackkit/c/embedder.h"
#include "trackkit/c/face.h" /* ABI 1.1 */
#include "trackkit/c/gmc.h"
#include "trackkit/c/mot.h"
#include "trackkit/c/pipeline.h"
#include "trackkit/c/segmenter.h"
#include "trackkit/c/tracker.h"

#endif /* TRACKKIT_TRACKKIT_H */
