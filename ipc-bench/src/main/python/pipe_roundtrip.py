"""The seed's round trip, timed: frontend -> multiprocessing.Pipe (pickle) -> backend
select + recv + dispatch to c__echo -> send_out__ -> Pipe -> frontend select + recv.

This mirrors what the seed's MessageProcess does per message (a MessageObject with a command and
keyword arguments, a forked backend whose loop selects on its pipe with a timeout and calls
c__<command>(**kwargs)), with the standard library only, so the Java report can compare against
the seed's transport on any machine with python3.

Usage: python3 pipe_roundtrip.py WARMUP_SECONDS MEASURE_SECONDS
Prints one line per measured round trip: its duration in nanoseconds (time.perf_counter_ns around
send ... recv, the same span JMH times around one benchmark invocation).
"""
import multiprocessing
import select
import sys
import time


class MessageObject:
    """A command and keyword arguments, pickled as a whole (the seed's MessageObject)."""

    def __init__(self, command, **kwargs):
        self.command = command
        self.kwargs = kwargs


class EchoBackend:
    """The backend's loop: select with a 1 s timeout (the seed's default), recv, dispatch."""

    def __init__(self, pipe):
        self.pipe = pipe

    def run(self):
        while True:
            readable, _, _ = select.select([self.pipe], [], [], 1.0)
            if readable:
                message = self.pipe.recv()
                if message is None:
                    return
                getattr(self, "c__" + message.command)(**message.kwargs)

    def c__echo(self, seq=None):
        self.send_out__(MessageObject("echo", seq=seq))

    def send_out__(self, message):
        self.pipe.send(message)


def round_trip(front, seq):
    front.send(MessageObject("echo", seq=seq))
    select.select([front], [], [])
    reply = front.recv()
    if reply.kwargs["seq"] != seq:
        raise RuntimeError("echo out of order: sent=%d echoed=%s" % (seq, reply.kwargs["seq"]))


def main():
    warmup_ns = int(float(sys.argv[1]) * 1e9)
    measure_ns = int(float(sys.argv[2]) * 1e9)
    # fork, as the seed's MessageProcess (a multiprocessing.Process) does on Linux.
    context = multiprocessing.get_context("fork")
    front, back = context.Pipe()
    backend = context.Process(target=EchoBackend(back).run, daemon=True)
    backend.start()
    seq = 0
    end = time.perf_counter_ns() + warmup_ns
    while time.perf_counter_ns() < end:
        seq += 1
        round_trip(front, seq)
    samples = []
    clock = time.perf_counter_ns
    end = clock() + measure_ns
    while True:
        seq += 1
        start = clock()
        round_trip(front, seq)
        stop = clock()
        samples.append(stop - start)
        if stop >= end:
            break
    front.send(None)
    backend.join(5)
    sys.stdout.write("\n".join(map(str, samples)))
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
