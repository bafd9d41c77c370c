#!/usr/bin/env bash
# examples/face_cluster from the command line, as a user runs it (ctest examples/face_cluster):
#  1. ten raw LFW images (symlinked) and one corrupt file as an image folder: exit 0, the corrupt file reported on
#     stderr and listed as skipped, identities.json parses, every face's box lies inside its image and its frame is
#     one of the images, each photo's faces are their own tracks (no linking across unrelated photos), every image
#     with a face is in some identity, and each identity's contact sheet exists;
#  2. a folder whose only image is plain grey: exit 0 and no identities;
#  3. a missing input: exit 1, the path in the message; a model of the wrong kind: exit 1, its path in the message;
#     no --out: exit 2.
# Skips (77) without python3, then without the data or the exports (scripts/face-models.sh, embedder-models.sh).
# First, without models: tools/faces/cluster_scores.py on a hand-made identities.json whose scores are worked out
# below.
#   test_face_cluster.sh FACE_CLUSTER DETECTOR EMBEDDER
set -euo pipefail
exe=$1 detector=$2 embedder=$3
scores=$(cd "$(dirname "$0")/../.." && pwd)/tools/faces/cluster_scores.py
lfw=${TRACKKIT_DATA:-}/faces/lfw_pairs
skip() { echo "SKIP: $*"; exit 77; }
command -v python3 >/dev/null || skip "no python3 to read identities.json"

# 0. cluster_scores.py: six 100x100 images; identity 0 holds the central faces of a, b, c and a corner face of d,
#    identity 1 d's central face (d's identity: the face nearest the centre, 1), e and f have none. Pairs: a-b same
#    and together (TP), c-d same but apart (FN), e-f same without faces (FN), a-c different but together (FP), b-d
#    different and apart (TN): precision 1/2, recall 1/3, F1 2 * (1/2 * 1/3) / (1/2 + 1/3) = 0.4.
tmp0=$(mktemp -d)
python3 - "$tmp0" <<'PY'
import json, os, sys
folder = sys.argv[1]
def face(frame, box):
    return {"frame": frame, "time": 0, "box": box, "landmarks": [[0, 0]] * 5, "score": 0.9, "quality": 0.5}
def track(tid, f):
    return {"id": tid, "first_frame": f["frame"], "last_frame": f["frame"], "faces_seen": 1, "faces": [f]}
centre, corner = [40, 40, 60, 60], [0, 0, 10, 10]
identities = [{"id": 0, "tracks": [track(1, face(0, centre)), track(2, face(1, centre)), track(3, face(2, centre)),
                                   track(4, face(3, corner))]},
              {"id": 1, "tracks": [track(5, face(3, centre))]}]
images = [{"file": n + ".jpg", "width": 100, "height": 100} for n in "abcdef"]
doc = {"version": 1, "inputs": [{"input": "synthetic", "kind": "images", "frames": 6, "fps": 30, "images": images,
                                 "skipped": [], "identities": identities}]}
json.dump(doc, open(os.path.join(folder, "identities.json"), "w"))
with open(os.path.join(folder, "pairs.csv"), "w") as f:
    f.write("pair,image_0,image_1,aligned_0,aligned_1,same_identity\n")
    for i, (x, y, same) in enumerate([("a", "b", 1), ("c", "d", 1), ("e", "f", 1), ("a", "c", 0), ("b", "d", 0)]):
        f.write("%d,lfw/%s.jpg,lfw/%s.jpg,-,-,%d\n" % (i, x, y, same))
PY
python3 "$scores" "$tmp0/identities.json" "$tmp0/pairs.csv" >"$tmp0/scores.log"
grep -q "pairwise precision 0.5000  recall 0.3333  F1 0.4000" "$tmp0/scores.log" ||
  { cat "$tmp0/scores.log"; echo "FAIL: cluster_scores.py on the hand-made case"; exit 1; }
rm -rf "$tmp0"

[ -n "${TRACKKIT_DATA:-}" ] && [ -d "$lfw" ] || skip "no LFW images: set TRACKKIT_DATA (faces/lfw_pairs)"
[ -f "$detector" ] || skip "no face detector $detector (scripts/face-models.sh)"
[ -f "$embedder" ] || skip "no face embedder $embedder (scripts/embedder-models.sh)"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*"; for f in "$tmp"/*.log; do echo "--- $f"; cat "$f"; done; exit 1; }
run() { "$exe" "$@" --detector "$detector" --embedder "$embedder" --device cpu; }

# 1. Real faces.
mkdir "$tmp/lfw"
for name in 0_fn_0 0_fn_1 1_fn_0 1_fn_1 2_fn_0 2_fn_1 0_fp_0 0_fp_1 1_fp_0 1_fp_1; do
  ln -s "$lfw/$name.jpg" "$tmp/lfw/$name.jpg"
done
printf 'not a JPEG' >"$tmp/lfw/9_corrupt.jpg"
run "$tmp/lfw" --out "$tmp/out" >"$tmp/lfw.log" 2>"$tmp/lfw.err.log" || fail "face_cluster on LFW images exited $?"
grep -q "9_corrupt.jpg" "$tmp/lfw.err.log" || fail "the corrupt image is not named on stderr"
python3 - "$tmp/out" <<'PY' || fail "identities.json of the LFW images"
import json, os, sys
out = sys.argv[1]
doc = json.load(open(os.path.join(out, "identities.json")))
assert doc["version"] == 1 and len(doc["inputs"]) == 1, doc.keys()
inp = doc["inputs"][0]
assert inp["kind"] == "images" and inp["frames"] == 10 and len(inp["images"]) == 10, (inp["kind"], inp["frames"])
assert inp["skipped"] == ["9_corrupt.jpg"], inp["skipped"]
images_with_faces, track_ids = set(), set()
def check_face(face):
    image = inp["images"][face["frame"]]
    x1, y1, x2, y2 = face["box"]
    assert 0 <= x1 < x2 <= image["width"] and 0 <= y1 < y2 <= image["height"], (face, image)
    assert len(face["landmarks"]) == 5 and all(len(p) == 2 for p in face["landmarks"]), face
    assert 0 < face["score"] <= 1 and 0 <= face["quality"] <= 1, face
for identity in inp["identities"]:
    assert identity["tracks"], identity
    faces = []
    for track in identity["tracks"]:
        assert track["id"] not in track_ids, track["id"]  # a track belongs to one identity
        track_ids.add(track["id"])
        assert track["first_frame"] == track["last_frame"] and track["faces_seen"] == 1, track  # photos: no linking
        for face in track["faces"]:
            check_face(face)
            assert face["frame"] == track["first_frame"], (face, track)
            images_with_faces.add(face["frame"])
            faces.append((track["id"], face))
    rep = identity["representative"]
    check_face(rep)
    assert any(t == rep["track"] and all(f[k] == rep[k] for k in f) for t, f in faces), rep  # one of its faces
    assert rep["quality"] == max(f["quality"] for _, f in faces), rep
    assert os.path.isfile(os.path.join(out, identity["sheet"])), identity["sheet"]
# LFW images are portraits: the detector finds the subject in (nearly) all of them.
assert len(images_with_faces) >= 9, sorted(images_with_faces)
print("LFW folder:", len(inp["identities"]), "identities,", len(track_ids), "tracks")
PY

# 2. No face at all: a plain grey BMP (written here: no image library needed).
mkdir "$tmp/grey"
python3 - "$tmp/grey/grey.bmp" <<'PY'
import struct, sys
w, h = 64, 48
row = bytes([128] * (3 * w))  # 64 * 3 bytes: already a multiple of 4
pixels = row * h
header = b"BM" + struct.pack("<IHHI", 54 + len(pixels), 0, 0, 54)
info = struct.pack("<IiiHHIIiiII", 40, w, h, 1, 24, 0, len(pixels), 2835, 2835, 0, 0)
open(sys.argv[1], "wb").write(header + info + pixels)
PY
run "$tmp/grey" --out "$tmp/grey_out" >"$tmp/grey.log" 2>&1 || fail "face_cluster on a grey image exited $?"
python3 -c "
import json, sys
inp = json.load(open(sys.argv[1]))['inputs'][0]
assert inp['frames'] == 1 and inp['identities'] == [], inp
" "$tmp/grey_out/identities.json" || fail "a folder without faces: identities.json"

# 3. Errors.
status=0
run "$tmp/no_such_video.mp4" --out "$tmp/missing_out" >"$tmp/missing.log" 2>&1 || status=$?
[ "$status" = 1 ] || fail "a missing input exited $status, not 1"
grep -q "$tmp/no_such_video.mp4" "$tmp/missing.log" || fail "the missing input's path is not in the message"
status=0
"$exe" "$tmp/grey" --out "$tmp/wrong_out" --detector "$embedder" --embedder "$embedder" --device cpu \
  >"$tmp/wrong.log" 2>&1 || status=$?
[ "$status" = 1 ] || fail "an embedder given as --detector exited $status, not 1"
grep -q "$embedder" "$tmp/wrong.log" || fail "the wrong model's path is not in the message"
status=0
run "$tmp/grey" >"$tmp/usage.log" 2>&1 || status=$?
[ "$status" = 2 ] || fail "a command line without --out exited $status, not 2"
echo "face_cluster: LFW folder, no-face folder and errors as expected"
