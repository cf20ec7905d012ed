"""Decoding ahead and encoding behind on threads: order, errors, early stops, the report's clock."""

import threading
import time
from pathlib import Path

import numpy as np
import pytest

from tfganimation.video.background_writer import BackgroundWriter
from tfganimation.video.prefetch import prefetched
from tfganimation.video.stage_timer import StageTimer
from tfganimation.video.video_report import VideoReport


def test_prefetched_items_come_in_order_from_another_thread():
    threads = []

    def produce():
        for index in range(20):
            threads.append(threading.get_ident())
            yield index

    assert list(prefetched(produce(), depth=3)) == list(range(20))
    assert set(threads) == {threads[0]} and threads[0] != threading.get_ident()


def test_prefetching_runs_ahead_while_the_consumer_works():
    def slow(count):
        for index in range(count):
            time.sleep(0.05)
            yield index

    started = time.perf_counter()
    for _ in prefetched(slow(6)):
        time.sleep(0.05)  # The consumer's work, overlapped with the next item's.
    assert time.perf_counter() - started < 0.55  # In turn it would take 0.6 s.


def test_a_producer_s_error_is_raised_at_its_item():
    def failing():
        yield 1
        raise OSError("disk gone")

    seen = []
    with pytest.raises(OSError, match="disk gone"):
        for item in prefetched(failing()):
            seen.append(item)
    assert seen == [1]


def test_stopping_early_stops_the_thread_and_closes_the_source():
    closed = threading.Event()

    def endless():
        try:
            index = 0
            while True:
                yield index
                index += 1
        finally:
            closed.set()

    items = prefetched(endless(), depth=2)
    assert next(items) == 0
    items.close()
    assert closed.wait(2.0)


class Sink:
    """A `FrameSink` that records what it gets, and can be made to fail or to be slow."""

    def __init__(self, fail_at: int | None = None, delay: float = 0.0):
        self.written: list[tuple[int, float]] = []
        self.fail_at, self.delay = fail_at, delay

    def write(self, image, when):
        if self.fail_at is not None and len(self.written) == self.fail_at:
            raise RuntimeError("encoder failed")
        time.sleep(self.delay)
        self.written.append((int(image[0, 0, 0]), when))


def frame(value: int) -> np.ndarray:
    return np.full((4, 4, 3), value, np.uint8)


def test_the_background_writer_writes_every_frame_in_order_and_times_it():
    sink, timer = Sink(delay=0.01), StageTimer()

    with BackgroundWriter(sink, timer, depth=2) as writer:
        for index in range(10):
            writer.write(frame(index), index / 10)

    assert sink.written == [(index, index / 10) for index in range(10)]
    assert timer.seconds["encode"] >= 0.1


def test_an_encoder_error_is_raised_by_the_writer():
    with pytest.raises(RuntimeError, match="encoder failed"):
        with BackgroundWriter(Sink(fail_at=3), depth=1) as writer:
            for index in range(50):
                writer.write(frame(index), index)


def test_leaving_by_an_error_drops_the_waiting_frames_and_keeps_the_error():
    sink = Sink(delay=0.05)
    with pytest.raises(KeyError):
        with BackgroundWriter(sink, depth=8) as writer:
            for index in range(8):
                writer.write(frame(index), index)
            raise KeyError("the edit failed")
    assert len(sink.written) < 8  # Not every waiting frame was encoded for nothing.


def test_the_report_counts_frames_per_wall_clock_second_when_stages_overlap():
    report = VideoReport(
        path=Path("out.mp4"),
        frames=30,
        frame_rate=30.0,
        duration=1.0,
        frames_edited=30,
        seconds={"decode": 0.5, "detect": 0.5, "edit": 1.0, "encode": 0.5},
        wall_seconds=1.5,
    )

    assert report.throughput == pytest.approx(20.0)
    assert "1.5 s, 20.00 frames/s: decode 20%, detect 20%, edit 40%, encode 20%." in (
        report.summary()
    )
    unmeasured = VideoReport(Path("o.mp4"), 10, 10.0, 1.0, 10, seconds={"edit": 2.0})
    assert unmeasured.throughput == pytest.approx(5.0)
