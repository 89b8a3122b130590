"""What anomaly_splits.py and anomaly_losses.py share: the arguments that locate a detector run,
NAB's data and its scorer, and the scorer and labelled corpus loaded from them."""
import os
import sys


def add_arguments(ap):
    """Adds RESULTS, --detector, --nab-dir and --eval-dir to the argparse parser ap."""
    ap.add_argument("results", help="results dir of the run (<dir>/<category>/mcobs_<file>.csv)")
    ap.add_argument("--detector", default="mcobs")
    ap.add_argument("--nab-dir", default=os.environ.get("NAB_DATA", "../shared/data/nab"))
    ap.add_argument("--eval-dir", default=os.environ.get("NAB_EVAL", "../shared/eval/nab"))


def load(a):
    """Returns the NAB scorer module of a.eval_dir and the labelled corpus of a.nab_dir."""
    sys.path.insert(0, a.eval_dir)
    import score as nab  # the NAB scorer of ../shared/eval/nab, standard library only

    return nab, nab.Truth(a.nab_dir, nab.list_corpus(a.nab_dir))
