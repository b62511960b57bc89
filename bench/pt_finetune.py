"""Fine-tunes BERT for classification in PyTorch on exactly what `bertadapt finetune` trains on, to compare the two.

bench/FineTuneTrace.java writes the model with its new head before the first update (TRACE/initial), the training
micro-batches in the trainer's order (TRACE/train.jsonl) and the test batches (TRACE/test.jsonl). This script trains
on them with the recipe of bertadapt's Trainer: AdamW (betas 0.9/0.999, eps 1e-6, decoupled weight decay that skips
LayerNorm and biases), linear warm-up over ceil(ratio * updates) then linear decay, global-norm clipping, updates
of --accumulation micro-batches weighted by their sizes, the last update of an epoch taking what is left.

It prints and writes (--log, JSON lines) each update's loss, learning rate and gradient norm before clipping (the
fields of bertadapt's metrics.jsonl), and test accuracy and F1 after each epoch.

usage: /usr/bin/python3 bench/pt_finetune.py TRACE [--epochs 3] [--max-steps N] [--no-dropout] [--log FILE]
Needs Debian's python3-torch (and libopenblas0-pthread for speed).
"""
import argparse
import json
import math
import struct
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F


def read_safetensors(path):
    dtypes = {"F32": np.float32, "F64": np.float64, "I32": np.int32, "I64": np.int64}
    with open(path, "rb") as f:
        header_size = struct.unpack("<Q", f.read(8))[0]
        header = json.loads(f.read(header_size))
        data = f.read()
    tensors = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        start, end = info["data_offsets"]
        array = np.frombuffer(data[start:end], dtype=dtypes[info["dtype"]]).reshape(info["shape"])
        tensors[name] = torch.from_numpy(array.copy())
    return tensors


class SelfAttention(nn.Module):
    def __init__(self, c):
        super().__init__()
        h = c["hidden_size"]
        self.heads = c["num_attention_heads"]
        self.query, self.key, self.value = nn.Linear(h, h), nn.Linear(h, h), nn.Linear(h, h)
        self.dropout = nn.Dropout(c["attention_probs_dropout_prob"])

    def forward(self, x, additive_mask):  # x [B, T, H], additive_mask [B, 1, 1, T]
        b, t, h = x.shape
        split = lambda y: y.view(b, t, self.heads, h // self.heads).transpose(1, 2)  # [B, N, T, D]
        q, k, v = split(self.query(x)), split(self.key(x)), split(self.value(x))
        scores = q @ k.transpose(-1, -2) / math.sqrt(h // self.heads) + additive_mask  # [B, N, T, T]
        probabilities = self.dropout(torch.softmax(scores, -1))
        return (probabilities @ v).transpose(1, 2).reshape(b, t, h)  # [B, T, H]


class Residual(nn.Module):
    """dense, dropout, add the sublayer's input, LayerNorm: BertSelfOutput and BertOutput."""

    def __init__(self, c, width):
        super().__init__()
        self.dense = nn.Linear(width, c["hidden_size"])
        self.LayerNorm = nn.LayerNorm(c["hidden_size"], eps=c.get("layer_norm_eps", 1e-12))
        self.dropout = nn.Dropout(c["hidden_dropout_prob"])

    def forward(self, x, residual):
        return self.LayerNorm(self.dropout(self.dense(x)) + residual)


class Attention(nn.Module):
    def __init__(self, c):
        super().__init__()
        setattr(self, "self", SelfAttention(c))
        self.output = Residual(c, c["hidden_size"])

    def forward(self, x, additive_mask):
        return self.output(getattr(self, "self")(x, additive_mask), x)


class Intermediate(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.dense = nn.Linear(c["hidden_size"], c["intermediate_size"])

    def forward(self, x):
        return F.gelu(self.dense(x))  # exact erf GELU, as BERT


class Layer(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.attention = Attention(c)
        self.intermediate = Intermediate(c)
        self.output = Residual(c, c["intermediate_size"])

    def forward(self, x, additive_mask):
        x = self.attention(x, additive_mask)
        return self.output(self.intermediate(x), x)


class Encoder(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.layer = nn.ModuleList([Layer(c) for _ in range(c["num_hidden_layers"])])


class Embeddings(nn.Module):
    def __init__(self, c):
        super().__init__()
        h = c["hidden_size"]
        self.word_embeddings = nn.Embedding(c["vocab_size"], h)
        self.position_embeddings = nn.Embedding(c["max_position_embeddings"], h)
        self.token_type_embeddings = nn.Embedding(c["type_vocab_size"], h)
        self.LayerNorm = nn.LayerNorm(h, eps=c.get("layer_norm_eps", 1e-12))
        self.dropout = nn.Dropout(c["hidden_dropout_prob"])


class Pooler(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.dense = nn.Linear(c["hidden_size"], c["hidden_size"])


class BertModel(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.embeddings = Embeddings(c)
        self.encoder = Encoder(c)
        self.pooler = Pooler(c)

    def forward(self, ids, types, mask):  # [B, T] each
        e = self.embeddings
        positions = torch.arange(ids.shape[1])
        x = e.word_embeddings(ids) + e.position_embeddings(positions)[None] + e.token_type_embeddings(types)
        x = e.dropout(e.LayerNorm(x))  # [B, T, H]
        additive_mask = ((1.0 - mask.float()) * -10000.0)[:, None, None, :]  # [B, 1, 1, T]
        for layer in self.encoder.layer:
            x = layer(x, additive_mask)
        return torch.tanh(self.pooler.dense(x[:, 0]))  # [B, H]


class BertClassifier(nn.Module):
    def __init__(self, c, classes):
        super().__init__()
        self.bert = BertModel(c)
        self.dropout = nn.Dropout(c["hidden_dropout_prob"])
        self.classifier = nn.Linear(c["hidden_size"], classes)

    def forward(self, ids, types, mask):
        return self.classifier(self.dropout(self.bert(ids, types, mask)))  # [B, C]


def tensors(batch):
    return [torch.tensor(batch[k]) for k in ("input_ids", "token_type_ids", "attention_mask")]


def evaluate(model, test_batches):
    model.eval()
    predicted, gold = [], []
    with torch.no_grad():
        for batch in test_batches:
            predicted += model(*tensors(batch)).argmax(-1).tolist()
            gold += batch["labels"]
    model.train()
    predicted, gold = np.array(predicted), np.array(gold)
    tp = int(((predicted == 1) & (gold == 1)).sum())
    fp = int(((predicted == 1) & (gold == 0)).sum())
    fn = int(((predicted == 0) & (gold == 1)).sum())
    f1 = 2 * tp / (2 * tp + fp + fn) if tp else 0.0
    return {"accuracy": float((predicted == gold).mean()), "f1": f1}


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("trace")
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--max-steps", type=int, default=0)
    parser.add_argument("--accumulation", type=int, default=4)
    parser.add_argument("--lr", type=float, default=2e-5)
    parser.add_argument("--warmup-ratio", type=float, default=0.1)
    parser.add_argument("--weight-decay", type=float, default=0.01)
    parser.add_argument("--max-grad-norm", type=float, default=1.0)
    parser.add_argument("--no-dropout", action="store_true")
    parser.add_argument("--seed", type=int, default=42, help="seeds PyTorch's dropout masks")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--log")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)

    with open(f"{args.trace}/initial/config.json") as f:
        config = json.load(f)
    if args.no_dropout:
        config["hidden_dropout_prob"] = config["attention_probs_dropout_prob"] = 0.0
    with open(f"{args.trace}/initial/labels.json") as f:
        classes = len(json.load(f)["labels"])
    model = BertClassifier(config, classes)
    weights = read_safetensors(f"{args.trace}/initial/model.safetensors")
    missing, unexpected = model.load_state_dict(weights, strict=False)
    if missing:
        raise SystemExit(f"weights missing from the trace's model: {missing}")
    model.train()

    with open(f"{args.trace}/train.jsonl") as f:
        micro_batches = [json.loads(line) for line in f]
    with open(f"{args.trace}/test.jsonl") as f:
        test_batches = [json.loads(line) for line in f]
    by_epoch = [[b for b in micro_batches if b["epoch"] == e] for e in range(args.epochs)]
    updates_per_epoch = math.ceil(len(by_epoch[0]) / args.accumulation)
    total = args.max_steps if args.max_steps > 0 else args.epochs * updates_per_epoch
    warmup = math.ceil(args.warmup_ratio * total)
    rate = lambda step: args.lr * step / warmup if step < warmup else \
        args.lr * max(0.0, (total - step) / max(1, total - warmup))

    decays = lambda name: not ("LayerNorm" in name or name.endswith(".bias"))
    parameters = list(model.named_parameters())
    optimiser = torch.optim.AdamW([
        {"params": [p for n, p in parameters if decays(n)], "weight_decay": args.weight_decay},
        {"params": [p for n, p in parameters if not decays(n)], "weight_decay": 0.0}],
        lr=args.lr, betas=(0.9, 0.999), eps=1e-6)

    log = open(args.log, "w") if args.log else None

    def emit(record):
        print(json.dumps(record), flush=True)
        if log:
            log.write(json.dumps(record) + "\n")
            log.flush()

    step, start = 0, time.time()
    examples_seen = 0
    for epoch in range(args.epochs):
        batches = by_epoch[epoch]
        for first in range(0, len(batches), args.accumulation):
            update = batches[first:first + args.accumulation]
            examples = sum(len(b["labels"]) for b in update)
            loss_sum = 0.0
            for batch in update:
                logits = model(*tensors(batch))
                loss = F.cross_entropy(logits, torch.tensor(batch["labels"]))
                (loss * len(batch["labels"]) / examples).backward()
                loss_sum += loss.item() * len(batch["labels"])
            norm = torch.sqrt(sum((p.grad.double() ** 2).sum() for _, p in parameters if p.grad is not None)).item()
            if args.max_grad_norm > 0 and norm > args.max_grad_norm:
                for _, p in parameters:
                    if p.grad is not None:
                        p.grad.mul_(args.max_grad_norm / (norm + 1e-6))
            for group in optimiser.param_groups:
                group["lr"] = rate(step)
            optimiser.step()
            optimiser.zero_grad(set_to_none=True)
            examples_seen += examples
            record = {"step": step + 1, "epoch": epoch, "loss": loss_sum / examples, "learning_rate": rate(step),
                      "gradient_norm": norm, "examples_per_second": examples_seen / (time.time() - start)}
            step += 1
            emit(record)
            if step >= total:
                break
        emit(dict(evaluate(model, test_batches), epoch=epoch + 1, step=step))
        if step >= total:
            break


if __name__ == "__main__":
    main()
