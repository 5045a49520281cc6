"""PyTorch + transformers side of bench/engine-vs-torch.ts: a worker that loads a Qwen2 checkpoint directory and
answers one JSON command per stdin line with one JSON line on stdout, so the Node side can interleave its own
repetitions with these in one run. Commands: load, logits, sample, update, rss."""

import json
import resource
import sys
import time

import numpy as np
import torch
from transformers import AutoModelForCausalLM

model = None
optimizer = None


def load(cmd):
    global model, optimizer
    torch.set_num_threads(cmd["threads"])
    torch.manual_seed(0)
    model = AutoModelForCausalLM.from_pretrained(cmd["dir"], dtype=torch.float32)
    model.eval()
    # Sampling runs to the full length on both sides: no end-of-sequence id.
    model.generation_config.eos_token_id = None
    model.generation_config.pad_token_id = cmd["padId"]
    optimizer = torch.optim.Adam(model.parameters(), lr=cmd["learningRate"])
    return {"threads": torch.get_num_threads(), "torch": torch.__version__}


def logits(cmd):
    ids = torch.tensor(cmd["ids"], dtype=torch.long)
    with torch.no_grad():
        out = model(input_ids=ids).logits
    out.numpy().astype("<f4").tofile(cmd["out"])
    return {"shape": list(out.shape)}


def left_padded(prompts, pad_id):
    width = max(len(p) for p in prompts)
    ids = [[pad_id] * (width - len(p)) + p for p in prompts]
    mask = [[0] * (width - len(p)) + [1] * len(p) for p in prompts]
    return torch.tensor(ids, dtype=torch.long), torch.tensor(mask, dtype=torch.long)


def sample(cmd):
    ids, mask = left_padded(cmd["prompts"], model.generation_config.pad_token_id)
    torch.manual_seed(cmd["seed"])
    start = time.perf_counter()
    cpu = time.process_time()
    with torch.no_grad():
        out = model.generate(
            input_ids=ids,
            attention_mask=mask,
            do_sample=True,
            temperature=cmd["temperature"],
            top_p=cmd["topP"],
            top_k=cmd["topK"],
            max_new_tokens=cmd["maxNewTokens"],
            num_return_sequences=cmd["samplesPerPrompt"],
            use_cache=True,
        )
    seconds = time.perf_counter() - start
    new = out.shape[1] - ids.shape[1]
    return {"seconds": seconds, "cpuSeconds": time.process_time() - cpu, "rows": out.shape[0], "newTokens": new}


def update(cmd):
    """One GRPO step as the engine's grpoUpdate takes it: token-mean PPO-clip loss (ε 0.2) over the response tokens,
    entropy computed alongside, global-norm clip 1.0, Adam."""
    model.train()
    ids = torch.tensor(cmd["ids"], dtype=torch.long)
    scored = torch.tensor(cmd["mask"], dtype=torch.float32)[:, 1:]
    old = torch.tensor(cmd["old"], dtype=torch.float32)[:, 1:]
    adv = torch.tensor(cmd["advantages"], dtype=torch.float32)[:, None]
    start = time.perf_counter()
    cpu = time.process_time()
    z = model(input_ids=ids[:, :-1]).logits / cmd["temperature"]
    logp_all = torch.log_softmax(z, -1)
    logp = logp_all.gather(-1, ids[:, 1:, None]).squeeze(-1)
    entropy = -(logp_all.exp() * logp_all).sum(-1)
    ratio = torch.exp(torch.clamp(logp - old, -20, 20))
    per_token = torch.maximum(-ratio * adv, -torch.clamp(ratio, 0.8, 1.2) * adv)
    loss = (per_token * scored).sum() / scored.sum()
    loss.backward()
    grad_norm = torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
    optimizer.step()
    optimizer.zero_grad(set_to_none=True)
    seconds = time.perf_counter() - start
    cpu = time.process_time() - cpu
    model.eval()
    return {
        "seconds": seconds,
        "cpuSeconds": cpu,
        "loss": loss.item(),
        "gradNorm": grad_norm.item(),
        "entropy": (entropy.detach() * scored).sum().item() / scored.sum().item(),
    }


def rss(_cmd):
    return {"peakRssMb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)}


COMMANDS = {"load": load, "logits": logits, "sample": sample, "update": update, "rss": rss}

for line in sys.stdin:
    cmd = json.loads(line)
    try:
        reply = COMMANDS[cmd["cmd"]](cmd)
    except Exception as e:  # the Node side reports it and stops
        reply = {"error": f"{type(e).__name__}: {e}"}
    sys.stdout.write(json.dumps(reply) + "\n")
    sys.stdout.flush()
