# Copied unchanged from /work/shared/bench/pt_bert_bench.py, the project's shared PyTorch reference benchmark.
"""Reference BERT training/inference throughput in PyTorch on the CPU, for side-by-side comparison.
usage: /usr/bin/python3 pt_bert_bench.py <tiny|mini|small|base> <batch> <train_steps> <infer_steps> [threads] [gelu: erf|tanh]
Needs Debian packages python3-torch and libopenblas0-pthread."""
import sys, time, math, resource, os
import torch
import torch.nn as nn
import torch.nn.functional as F

conf = sys.argv[1] if len(sys.argv) > 1 else "mini"
B = int(sys.argv[2]) if len(sys.argv) > 2 else 32
STEPS = int(sys.argv[3]) if len(sys.argv) > 3 else 10
ISTEPS = int(sys.argv[4]) if len(sys.argv) > 4 else 10
THREADS = int(sys.argv[5]) if len(sys.argv) > 5 else 2
GELU = sys.argv[6] if len(sys.argv) > 6 else "erf"
torch.set_num_threads(THREADS)
torch.manual_seed(0)

CFG = {"tiny": (128, 2, 2, 512), "mini": (256, 4, 4, 1024), "small": (512, 4, 8, 2048), "base": (768, 12, 12, 3072)}
H, L, NH, I = CFG[conf]
V, T, P, C = 30522, 128, 20, 2
DH = H // NH


def gelu(x):
    return F.gelu(x) if GELU == "erf" else F.gelu(x, approximate="tanh")


class Layer(nn.Module):
    def __init__(self):
        super().__init__()
        self.q = nn.Linear(H, H); self.k = nn.Linear(H, H); self.v = nn.Linear(H, H); self.o = nn.Linear(H, H)
        self.ln1 = nn.LayerNorm(H, eps=1e-12); self.i = nn.Linear(H, I); self.out = nn.Linear(I, H); self.ln2 = nn.LayerNorm(H, eps=1e-12)

    def forward(self, x, ext):  # x [B*T,H], ext [B,1,1,T]
        q = self.q(x).view(-1, T, NH, DH).permute(0, 2, 1, 3)
        k = self.k(x).view(-1, T, NH, DH).permute(0, 2, 1, 3)
        v = self.v(x).view(-1, T, NH, DH).permute(0, 2, 1, 3)
        s = torch.matmul(q, k.transpose(-1, -2)) * (1.0 / math.sqrt(DH)) + ext
        p = torch.softmax(s, -1)
        ctx = torch.matmul(p, v).permute(0, 2, 1, 3).reshape(-1, H)
        x = self.ln1(self.o(ctx) + x)
        return self.ln2(self.out(gelu(self.i(x))) + x)


class Bert(nn.Module):
    def __init__(self):
        super().__init__()
        self.we = nn.Embedding(V, H); self.pe = nn.Embedding(512, H); self.te = nn.Embedding(2, H)
        self.ln = nn.LayerNorm(H, eps=1e-12)
        self.layers = nn.ModuleList([Layer() for _ in range(L)])
        self.pool = nn.Linear(H, H); self.cls = nn.Linear(H, C)
        self.tr = nn.Linear(H, H); self.tr_ln = nn.LayerNorm(H, eps=1e-12); self.dec_bias = nn.Parameter(torch.zeros(V))
        for p in self.parameters():
            if p.dim() > 1: nn.init.normal_(p, std=0.02)

    def encode(self, ids, types, mask):
        x = self.we(ids.reshape(-1)) + self.te(types.reshape(-1))
        x = (x.view(-1, T, H) + self.pe.weight[:T]).reshape(-1, H)
        x = self.ln(x)
        ext = ((1.0 - mask) * -10000.0).view(-1, 1, 1, T)
        for l in self.layers:
            x = l(x, ext)
        return x

    def heads(self, x):
        pooled = torch.tanh(self.pool(x.view(-1, T, H)[:, 0]))
        return pooled, self.cls(pooled)

    def forward(self, ids, types, mask, pos, labels, w, cls_labels):
        x = self.encode(ids, types, mask)
        _, logits = self.heads(x)
        cls_loss = F.cross_entropy(logits, cls_labels)
        sel = x[pos]
        t = self.tr_ln(gelu(self.tr(sel)))
        mlm_logits = t @ self.we.weight.t() + self.dec_bias
        per = F.cross_entropy(mlm_logits, labels, reduction="none")
        mlm_loss = (per * w).sum() / (w.sum() + 1e-5)
        return mlm_loss + cls_loss


g = torch.Generator().manual_seed(42)


def batch():
    ids = torch.zeros(B, T, dtype=torch.long); types = torch.zeros(B, T, dtype=torch.long); mask = torch.zeros(B, T)
    pos = torch.zeros(B * P, dtype=torch.long); lab = torch.randint(0, V, (B * P,), generator=g); w = torch.zeros(B * P)
    for b in range(B):
        ln = T // 2 + int(torch.randint(0, T // 2 + 1, (1,), generator=g))
        ids[b, :ln] = torch.randint(1000, V, (ln,), generator=g); types[b, ln // 2:ln] = 1; mask[b, :ln] = 1
        pos[b * P:(b + 1) * P] = b * T + 1 + torch.randint(0, ln - 1, (P,), generator=g)
        w[b * P: b * P + max(1, int(0.15 * ln))] = 1
    return ids, types, mask, pos, lab, w, torch.randint(0, C, (B,), generator=g)


def rss():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


t_start = time.time()
model = Bert()
nparams = sum(p.numel() for p in model.parameters())
data = [batch() for _ in range(4)]
opt = torch.optim.AdamW(model.parameters(), lr=1e-4, eps=1e-6, weight_decay=0.01)


def step(d):
    opt.zero_grad(set_to_none=True)
    loss = model(*d)
    loss.backward()
    opt.step()
    return loss


def train(tag, steps):
    t0 = time.time(); l0 = step(data[0]); first = time.time() - t0
    step(data[1])
    s = time.time()
    for i in range(steps):
        step(data[i % 4])
    dt = time.time() - s
    print(f"[{tag}] first step {first:.2f}s; TRAIN {dt/steps:.3f} s/step {steps/dt:.3f} steps/s {steps*B/dt:.2f} seq/s  loss0={l0.item():.3f}  maxrss={rss():.0f}MB", flush=True)


print(f"torch {torch.__version__} threads={torch.get_num_threads()} config={conf} B={B} params={nparams} gelu={GELU}", flush=True)
train("full", STEPS)

with torch.no_grad():
    model.eval()
    ids, types, mask = data[0][:3]
    for _ in range(2): model.heads(model.encode(ids, types, mask))
    s = time.time()
    for _ in range(ISTEPS): model.heads(model.encode(ids, types, mask))
    dt = time.time() - s
    print(f"[infer] {dt/ISTEPS:.3f} s/batch {ISTEPS*B/dt:.2f} seq/s maxrss={rss():.0f}MB", flush=True)
    model.train()

# freeze embeddings + first half of layers
for p in list(model.we.parameters()) + list(model.pe.parameters()) + list(model.te.parameters()) + list(model.ln.parameters()):
    p.requires_grad_(False)
for l in model.layers[:L // 2]:
    for p in l.parameters(): p.requires_grad_(False)
opt = torch.optim.AdamW([p for p in model.parameters() if p.requires_grad], lr=1e-4, eps=1e-6, weight_decay=0.01)
before = model.layers[0].i.weight.detach().clone()
train("frozen-half", STEPS)
print("frozen unchanged:", torch.equal(before, model.layers[0].i.weight))
