"""scikit-learn's random forest as the peer of psilon's (bench/forest.bench.ts).

Reads one job (JSON, argv[1]) naming float64 files written by the bench: the training and
test rows of one dataset and split; fits RandomForestRegressor / RandomForestClassifier on
one thread (n_jobs=1) with the job's n_estimators and min_samples_leaf and scikit-learn's
defaults otherwise (max_features 1.0 for regression, 'sqrt' for classification, bootstrap);
prints one JSON line: fit CPU and wall seconds, test RMSE or log-loss, the version.
Run with Debian's /usr/bin/python3 (python3-sklearn).
"""
import json
import sys
import time

import numpy as np
import sklearn
from sklearn.ensemble import RandomForestClassifier, RandomForestRegressor
from sklearn.metrics import log_loss


def main():
    job = json.loads(sys.argv[1])
    n, nt, d = job["n"], job["nTest"], job["d"]
    read = lambda name, shape: np.fromfile(f"{job['dir']}/{name}.f64", dtype="<f8").reshape(shape)
    x, xt = read("x_train", (n, d)), read("x_test", (nt, d))
    y, yt = read("y_train", (n,)), read("y_test", (nt,))
    classify = job["task"] != "regression"
    kind = RandomForestClassifier if classify else RandomForestRegressor
    model = kind(n_estimators=job["trees"], min_samples_leaf=job["leaf"], n_jobs=1, random_state=job.get("seed", 0))
    if classify:
        y, yt = y.astype(int), yt.astype(int)
    c0, t0 = time.process_time(), time.perf_counter()
    model.fit(x, y)
    cpu, wall = time.process_time() - c0, time.perf_counter() - t0
    if classify:
        metric = log_loss(yt, model.predict_proba(xt), labels=list(range(job["k"])))
    else:
        metric = float(np.sqrt(np.mean((model.predict(xt) - yt) ** 2)))
    print(json.dumps({"cpu": cpu, "wall": wall, "metric": metric, "version": sklearn.__version__}))


if __name__ == "__main__":
    main()
