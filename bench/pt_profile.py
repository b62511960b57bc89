"""Where PyTorch's training step of the reference model spends its time, op by op (torch.profiler), to set beside
`./bertadapt bench --profile`. It runs bench/pt_bert_bench.py's model, batches and step unchanged (its source up to
its timing code), 2 warm-up steps, then profiles 3 steps.
usage: /usr/bin/python3 bench/pt_profile.py <tiny|mini|small|base> <batch> [threads]
Run it with the launcher's thread settings, as compare.sh does:
  OMP_WAIT_POLICY=PASSIVE OPENBLAS_THREAD_TIMEOUT=4 OMP_NUM_THREADS=2 /usr/bin/python3 bench/pt_profile.py base 8"""
import os
import sys

from torch.profiler import ProfilerActivity, profile

size, batch = sys.argv[1], sys.argv[2]
threads = sys.argv[3] if len(sys.argv) > 3 else os.environ.get("OMP_NUM_THREADS", "2")
reference = os.path.join(os.path.dirname(os.path.abspath(__file__)), "pt_bert_bench.py")
source = open(reference).read()
source = source[:source.index('print(f"torch {torch.__version__}')]  # the model, batches and step; not the timing
sys.argv = [reference, size, batch, "0", "0", threads]
model = {"__name__": "pt_bert_bench"}
exec(compile(source, reference, "exec"), model)
step, data = model["step"], model["data"]

for i in range(2):
    step(data[i])
steps = 3
with profile(activities=[ProfilerActivity.CPU]) as profiled:
    for i in range(steps):
        step(data[i % len(data)])
print(f"{steps} training steps of {size}, batch {batch}, {threads} threads; divide the times by {steps} for one step")
print(profiled.key_averages().table(sort_by="self_cpu_time_total", row_limit=30))
