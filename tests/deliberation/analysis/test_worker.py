"""The analysis' arithmetic runs in a worker process at a lower priority than the process that asks:
answers and errors come back as if the call were local, a worker that died is replaced, and nothing but
this package's functions runs there."""

import os
import signal

import numpy as np
import pytest

from deliberation.analysis.embedding import vector_from_bytes, vector_to_bytes
from deliberation.analysis.worker import AnalysisWorker, worker_conditions


@pytest.fixture
def worker():
    worker = AnalysisWorker(nice=5)
    yield worker
    worker.stop()


def test_calls_run_in_another_process_with_lower_priority_and_one_thread(worker):
    where = worker.call(worker_conditions)
    assert where["pid"] != os.getpid() and where["pid"] == worker.pid
    assert where["nice"] == os.getpriority(os.PRIO_PROCESS, 0) + 5
    assert where["omp_threads"] == "1"


def test_answers_and_errors_come_back_as_from_a_local_call(worker):
    vector = np.arange(4, dtype=np.float32)
    assert np.array_equal(worker.call(vector_from_bytes, vector_to_bytes(vector)), vector)
    with pytest.raises(ValueError):
        worker.call(vector_from_bytes, b"abc")  # not a whole number of float32s
    assert worker.call(worker_conditions)["pid"] == worker.pid, "an error does not cost the worker"


def test_a_worker_that_died_is_replaced_and_the_call_made(worker):
    first = worker.call(worker_conditions)["pid"]
    os.kill(first, signal.SIGKILL)
    second = worker.call(worker_conditions)["pid"]
    assert second != first and worker.pid == second


def test_only_functions_of_the_analysis_package_run_there(worker):
    with pytest.raises(ValueError):
        worker.call(os.getpid)
