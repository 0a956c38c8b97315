"""Whole-document PEGASUS summarization for the Hugging Face inference DLC.

How the toolkit calls this module (sagemaker-huggingface-inference-toolkit v2.6.0, the version the
pinned image ships; `src/sagemaker_huggingface_inference_toolkit/handler_service.py`):

- `HuggingFaceHandlerService.initialize` puts `<model_dir>/code` first on `sys.path` and imports
  the module `SAGEMAKER_PROGRAM` names (default `inference.py`). Each hook it finds replaces the
  service's default method: `model_fn` → `load(model_dir, context=None)`, `transform_fn` →
  `transform_fn(model, input_data, content_type, accept, context=None)` (`transform_fn` may not
  be combined with `input_fn`/`predict_fn`/`output_fn`).
- **The dispatch rule** (`function_extra_arg`): the hook's parameter count is compared with the
  default method's (without `self`). Equal → the MMS `Context` is passed as the LAST argument;
  one fewer → nothing extra; anything else → `TypeError` at start-up. So a trailing optional
  parameter always receives the Context, whatever its name: `input_fn(data, content_type,
  model=None)` is handed a Context, never the model (the bug this module once had).
  Every hook here therefore ends in `context=None` and uses it for nothing; the deployment's
  defaults come from the environment, read in `model_fn`.
- `handle()` UTF-8-decodes the body only when the content type is exactly `application/json` or
  `text/csv` (`content_types.UTF8_TYPES`), before any hook runs, and turns the missing or `*/*`
  Accept into `application/json`. `model_fn` asks for every body as bytes instead
  (`_take_bodies_as_bytes`), so invalid UTF-8 gets our message, not the codec's.
- Anything raised becomes `PredictionException(str(e), 400)`; that message is what SageMaker
  writes to the failure location. Every error a request can cause is a `RequestError`, whose
  message starts `invalid request: ` and says what was wrong.

PEGASUS reads at most 1024 tokens (512 for pegasus-xsum). A document that fits is summarized in
one pass, as the stock summarization pipeline would. A longer one is map-reduced: split into
windows of at most the model's input length (cut at a paragraph or sentence end near the limit
where there is one, and balanced so no window is a sliver), each window summarized in GPU
batches, and the joined window summaries summarized again until they fit one window. `truncate`
reads only the first window.

Standard library only at import time: torch and transformers come from the DLC image and are
imported inside `model_fn`, so this module loads without them, and nothing is installed at
container start (endpoints may have no internet). model/tests drives it through the real toolkit
and Multi Model Server at the image's versions (model/requirements-serving.txt).
"""

import json
import logging
import math
import os
from dataclasses import dataclass, replace

LOG = logging.getLogger(__name__)

STRATEGIES = ("map-reduce", "truncate")

# Environment the stack sets from its configuration (lib/constructs/summarization-model.ts).
ENV_STRATEGY = "SUMMARIZER_LONG_DOCUMENTS"
ENV_CHUNK_TOKENS = "SUMMARIZER_CHUNK_TOKENS"
ENV_OVERLAP_TOKENS = "SUMMARIZER_OVERLAP_TOKENS"
ENV_BATCH_SIZE = "SUMMARIZER_BATCH_SIZE"
ENV_MAX_ROUNDS = "SUMMARIZER_MAX_ROUNDS"

# Bounds of our own parameters, the same as the stack's configuration (lib/config/schema.ts).
MAX_BATCH_SIZE = 256
MIN_ROUNDS, MAX_ROUNDS = 2, 10
MIN_CHUNK_TOKENS = 64
MAX_OVERLAP_TOKENS = 1024

# PEGASUS's decoder has 1024 positions: no summary can be longer.
MAX_SUMMARY_TOKENS = 1024

# The generate() arguments a request may set (transformers GenerationConfig), with their type and
# range. Anything else is refused: an unknown name would fail deep inside generate(), and some
# known ones break the map-reduce contract of one text per window (num_return_sequences > 1
# multiplies the windows, return_dict_in_generate returns tensors instead of ids).
GENERATION_PARAMETERS = {
    "max_length": (int, 1, MAX_SUMMARY_TOKENS),
    "min_length": (int, 0, MAX_SUMMARY_TOKENS),
    "max_new_tokens": (int, 1, MAX_SUMMARY_TOKENS),
    "min_new_tokens": (int, 0, MAX_SUMMARY_TOKENS),
    "num_beams": (int, 1, 16),
    "num_beam_groups": (int, 1, 16),
    "no_repeat_ngram_size": (int, 0, 64),
    "encoder_no_repeat_ngram_size": (int, 0, 64),
    "top_k": (int, 0, 1000),
    "num_return_sequences": (int, 1, 1),
    "length_penalty": (float, -10.0, 10.0),
    "repetition_penalty": (float, 0.01, 10.0),
    "diversity_penalty": (float, 0.0, 10.0),
    "temperature": (float, 0.01, 10.0),
    "top_p": (float, 0.0, 1.0),
    "typical_p": (float, 0.0, 1.0),
    "do_sample": (bool, None, None),
    "early_stopping": (bool, None, None),
}
# Parameters of the stock pipeline that mean nothing here: the strategy decides what is read.
IGNORED_PARAMETERS = {"truncation"}
OUR_PARAMETERS = ("long_documents", "strategy", "chunk_tokens", "overlap_tokens", "batch_size", "max_rounds", "return_windows")

PARAGRAPH, SENTENCE = 2, 1
SENTENCE_ENDS = ".!?…"
CJK_SENTENCE_ENDS = "。！？"
CLOSERS = "\"'”’)]»"


class RequestError(ValueError):
    """A request that can never succeed; the message is what the researcher reads."""

    def __init__(self, message):
        super().__init__(f"invalid request: {message}")


@dataclass(frozen=True)
class Settings:
    strategy: str = "map-reduce"
    chunk_tokens: int = 0  # 0: the model's maximum input length
    overlap_tokens: int = 64
    batch_size: int = 8
    max_rounds: int = 4
    return_windows: bool = False


@dataclass(frozen=True)
class Request:
    text: str
    settings: Settings
    generation: dict


def _number(name, value, kind, minimum, maximum):
    """A finite `kind` (int, float or bool) in [minimum, maximum]; an int may be written 3.0 or "3"."""
    if kind is bool:
        if not isinstance(value, bool):
            raise RequestError(f"{name} must be true or false, got {value!r}")
        return value
    number = math.nan
    if isinstance(value, (int, float, str)) and not isinstance(value, bool):
        try:
            number = float(value)
        except (ValueError, OverflowError):
            pass
    whole = kind is int
    if math.isfinite(number) and (not whole or number.is_integer()) and minimum <= number <= maximum:
        return int(number) if whole else number
    if minimum == maximum:
        raise RequestError(f"{name} must be {minimum}, got {value!r}")
    what = "a whole number" if whole else "a number"
    raise RequestError(f"{name} must be {what} from {minimum} to {maximum}, got {value!r}")


def _strategy(value):
    if value not in STRATEGIES:
        raise RequestError(f"long_documents must be one of {', '.join(STRATEGIES)}, got {value!r}")
    return value


def settings_from_env(env):
    """The deployment's defaults; a bad value fails the model load, loudly, at deploy time."""
    defaults = Settings()
    return _with_overrides(defaults, {
        "long_documents": env.get(ENV_STRATEGY, defaults.strategy),
        "chunk_tokens": env.get(ENV_CHUNK_TOKENS, defaults.chunk_tokens),
        "overlap_tokens": env.get(ENV_OVERLAP_TOKENS, defaults.overlap_tokens),
        "batch_size": env.get(ENV_BATCH_SIZE, defaults.batch_size),
        "max_rounds": env.get(ENV_MAX_ROUNDS, defaults.max_rounds),
    })


def _with_overrides(settings, parameters):
    """Applies our own parameters (removing them from `parameters`)."""
    changes = {}
    for alias in ("long_documents", "strategy"):
        if alias in parameters:
            changes["strategy"] = _strategy(parameters.pop(alias))
    if "chunk_tokens" in parameters:
        chunk = _number("chunk_tokens", parameters.pop("chunk_tokens"), int, 0, 16384)
        if 0 < chunk < MIN_CHUNK_TOKENS:
            raise RequestError(f"chunk_tokens must be 0 (the model's maximum input) or at least {MIN_CHUNK_TOKENS}, got {chunk}")
        changes["chunk_tokens"] = chunk
    if "overlap_tokens" in parameters:
        changes["overlap_tokens"] = _number("overlap_tokens", parameters.pop("overlap_tokens"), int, 0, MAX_OVERLAP_TOKENS)
    if "batch_size" in parameters:
        changes["batch_size"] = _number("batch_size", parameters.pop("batch_size"), int, 1, MAX_BATCH_SIZE)
    if "max_rounds" in parameters:
        changes["max_rounds"] = _number("max_rounds", parameters.pop("max_rounds"), int, MIN_ROUNDS, MAX_ROUNDS)
    if "return_windows" in parameters:
        changes["return_windows"] = _number("return_windows", parameters.pop("return_windows"), bool, None, None)
    return replace(settings, **changes)


def _decode_text(body):
    if isinstance(body, str):
        return body
    try:
        return bytes(body).decode("utf-8")
    except UnicodeDecodeError as e:
        raise RequestError(f"the document is not valid UTF-8 text (byte {e.start})") from None


def _valid_unicode(text):
    """JSON can spell a lone surrogate (\\ud800), which no tokenizer or UTF-8 encoder accepts."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as e:
        raise RequestError(f"the document contains a lone surrogate (\\u{ord(text[e.start]):04x} at character {e.start}): send valid Unicode") from None
    return text


def parse_request(body, content_type, defaults):
    """Reads a request: raw UTF-8 text, or `{"inputs": text, "parameters": {...}}`."""
    kind = (content_type or "").split(";")[0].strip().lower()
    parameters = {}
    if kind == "text/plain":
        text = _decode_text(body)
    elif kind == "application/json":
        document = _decode_text(body)
        try:
            payload = json.loads(document)
        except RecursionError:
            raise RequestError("malformed JSON (nested too deeply)") from None
        except ValueError as e:
            raise RequestError(f"malformed JSON ({e})") from None
        if not isinstance(payload, dict) or "inputs" not in payload:
            raise RequestError('a JSON request must be an object {"inputs": "<text>", "parameters": {...}}')
        text = payload["inputs"]
        if not isinstance(text, str):
            raise RequestError(f'"inputs" must be the document text (a string), got {type(text).__name__}')
        parameters = payload.get("parameters") or {}
        if not isinstance(parameters, dict):
            raise RequestError('"parameters" must be an object')
        parameters = dict(parameters)
    else:
        raise RequestError(f"unsupported content type {content_type!r}: send text/plain (UTF-8) or application/json")
    text = _valid_unicode(text).lstrip("\ufeff")
    if not text.strip():
        raise RequestError("the document is empty (nothing but white space)")

    settings = _with_overrides(defaults, parameters)
    generation = {}
    for name, value in parameters.items():
        if name in IGNORED_PARAMETERS:
            continue
        if name not in GENERATION_PARAMETERS:
            allowed = ", ".join(sorted([*GENERATION_PARAMETERS, *OUR_PARAMETERS, *IGNORED_PARAMETERS]))
            raise RequestError(f"unknown parameter {name!r}; a request may set {allowed}")
        generation[name] = _number(name, value, *GENERATION_PARAMETERS[name])
    return Request(text=text, settings=settings, generation=generation)


def response_type(accept):
    """The one response type there is; checked before any generation runs."""
    kind = (accept or "application/json").split(";")[0].strip().lower()
    if kind not in ("application/json", "*/*"):
        raise RequestError(f"unsupported accept type {accept!r}: responses are application/json")
    return "application/json"


def encode_response(prediction):
    return json.dumps(prediction, ensure_ascii=False)


def boundary_strengths(text, offsets):
    """For each token, how strong a place to cut right after it is: 2 paragraph end, 1 sentence end, 0 neither.

    Offsets differ between tokenizers: SentencePiece-based ones (PEGASUS, T5) may include the
    space before a piece in its span, and may give a lone "▁" piece the span of a newline or of the
    next letter. So each token is read by its content (its span without surrounding white space),
    the gap is measured to the next token with content, and white-space-only tokens never carry a
    cut."""
    n = len(offsets)
    strengths = bytearray(n)
    next_start = len(text)
    for i in range(n - 1, -1, -1):
        start, end = offsets[i]
        piece = text[start:end]
        content = piece.strip()
        if not content:
            continue
        start += len(piece) - len(piece.lstrip())
        end = start + len(content)
        gap = text[end:next_start] if next_start >= end else ""
        next_at_end = next_start >= len(text)
        next_start = start
        if "\n" in gap:
            strengths[i] = PARAGRAPH if gap.count("\n") >= 2 else SENTENCE
            continue
        token = content.rstrip(CLOSERS)
        if not token:
            continue
        last = token[-1]
        if last in CJK_SENTENCE_ENDS or (last in SENTENCE_ENDS and (gap[:1].isspace() or next_at_end)):
            strengths[i] = SENTENCE
    return strengths


def plan_windows(n_tokens, limit, overlap, strengths, slack=None):
    """(start, end) token ranges covering [0, n_tokens): none longer than `limit`, consecutive
    ones sharing `overlap` tokens, as few as full windows would need, each cut at a paragraph end
    within slack/2 of its target, else a sentence end within slack, else at the target.

    The target spreads what is left evenly over the windows it needs, so the last window is never
    a sliver (1024 tokens in windows of 1023 are two windows of about 540, not 1023 and 66)."""
    if limit < 1:
        raise RequestError(f"windows must hold at least one token, got {limit}")
    if overlap * 2 >= limit:
        raise RequestError(f"overlap_tokens ({overlap}) must be less than half the window ({limit} tokens)")
    if n_tokens <= limit:
        return [(0, n_tokens)]
    slack = limit // 5 if slack is None else slack
    step = limit - overlap
    windows = []
    start = 0
    while True:
        remaining = n_tokens - start
        if remaining <= limit:
            windows.append((start, n_tokens))
            return windows
        needed = -(-(remaining - overlap) // step)
        even_end = start + overlap + -(-(remaining - overlap) // needed)
        hard = min(start + limit, even_end + slack // 2)
        lowest = max(start + overlap + 1, hard - slack)
        end = _cut(strengths, lowest, hard, PARAGRAPH, max(lowest, hard - slack // 2)) or _cut(strengths, lowest, hard, SENTENCE, lowest) or hard
        windows.append((start, end))
        start = end - overlap


def _cut(strengths, lowest, hard, strength, floor):
    """The latest end in [floor, hard] right after a token at least `strength` strong."""
    for end in range(hard, floor - 1, -1):
        if end >= lowest and strengths[end - 1] >= strength:
            return end
    return None


def is_out_of_memory(error):
    """torch.cuda.OutOfMemoryError (a RuntimeError subclass) or the older RuntimeError text."""
    return type(error).__name__ == "OutOfMemoryError" or "out of memory" in str(error).lower()


class TokenizerAdapter:
    """What we need of a Hugging Face tokenizer: exact token ids with character offsets, and the
    special tokens the model expects around each input (PEGASUS appends `</s>`)."""

    def __init__(self, tokenizer):
        self.tokenizer = tokenizer
        self.specials = len(tokenizer.build_inputs_with_special_tokens([]))

    def encode(self, text):
        offsets_supported = getattr(self.tokenizer, "is_fast", False)
        encoded = self.tokenizer(text, add_special_tokens=False, return_offsets_mapping=offsets_supported, verbose=False)
        ids = list(encoded["input_ids"])
        if not offsets_supported:
            LOG.warning("slow tokenizer: no character offsets, windows are cut at the token limit")
            return ids, bytearray(len(ids))
        return ids, boundary_strengths(text, encoded["offset_mapping"])

    def wrap(self, ids):
        return self.tokenizer.build_inputs_with_special_tokens(list(ids))


class Summarizer:
    """The model as `model_fn` returns it: a tokenizer, a `generate(batch_of_id_lists, generation)`
    function returning one text per input, and the longest input the model accepts."""

    def __init__(self, tokenizer, generate, max_input_tokens, defaults=Settings(), release_memory=lambda: None):
        self.tokenizer = tokenizer
        self.generate = generate
        self.max_input_tokens = max_input_tokens
        self.defaults = defaults
        self.release_memory = release_memory

    def summarize(self, request):
        s = request.settings
        window = s.chunk_tokens or self.max_input_tokens
        if window > self.max_input_tokens:
            raise RequestError(f"chunk_tokens {window} exceeds the model's maximum input of {self.max_input_tokens} tokens")
        limit = window - self.tokenizer.specials
        ids, strengths = self.tokenizer.encode(request.text)
        report = {
            "strategy": s.strategy,
            "input_tokens": len(ids),
            "window_tokens": window,
            "overlap_tokens": s.overlap_tokens,
            "truncated": False,
            "round_limit_reached": False,
            "reduce_stalled": False,
        }
        batch = [s.batch_size]
        if len(ids) <= limit or s.strategy == "truncate":
            summary = self._generate_all([ids[:limit]], request.generation, batch)[0]
            report.update(windows=1, rounds=1, truncated=len(ids) > limit)
            window_summaries = [summary]
        else:
            _check_summaries_can_shrink(request.generation, limit)
            summary, window_summaries, rounds, limit_hit, stalled = self._map_reduce(ids, strengths, limit, s, request.generation, batch)
            report.update(windows=len(window_summaries), rounds=rounds, round_limit_reached=limit_hit, reduce_stalled=stalled)
        report["batch_size"] = batch[0]
        result = {"summary_text": summary, **report}
        if s.return_windows:
            result["window_summaries"] = window_summaries
        return result

    def _map_reduce(self, ids, strengths, limit, s, generation, batch):
        """Map rounds until the joined summaries fit one window, then the final pass. Each round
        must shrink its input: one that does not (summaries as long as their windows) would only
        grow the text, so it stops there and the final pass reads what fits, as at the round bound."""
        rounds = 0
        first_round = None
        while True:
            plan = plan_windows(len(ids), limit, s.overlap_tokens, strengths)
            summaries = self._generate_all([ids[a:b] for a, b in plan], generation, batch)
            rounds += 1
            if first_round is None:
                first_round = summaries
            before = len(ids)
            ids, strengths = self.tokenizer.encode("\n".join(x.strip() for x in summaries))
            stalled = len(ids) > limit and len(ids) >= before
            limit_hit = len(ids) > limit and not stalled and rounds + 1 >= s.max_rounds
            if len(ids) <= limit or stalled or limit_hit:
                if stalled:
                    LOG.warning("map round %d did not shrink the text (%d -> %d tokens): the last pass reads the first %d", rounds, before, len(ids), limit)
                elif limit_hit:
                    LOG.warning("round limit %d reached: the last pass reads the first %d of %d tokens of summaries", s.max_rounds, limit, len(ids))
                final = self._generate_all([ids[:limit]], generation, batch)[0]
                return final, first_round, rounds + 1, limit_hit, stalled

    def _generate_all(self, inputs, generation, batch):
        """Generates in batches of `batch[0]`; on CUDA out-of-memory halves the batch it actually
        sent (kept for the rest of the document) and retries, down to one window at a time."""
        outputs = []
        i = 0
        while i < len(inputs):
            chunk = [self.tokenizer.wrap(x) for x in inputs[i:i + batch[0]]]
            try:
                outputs.extend(self.generate(chunk, dict(generation)))
                i += len(chunk)
                continue
            except Exception as error:  # noqa: BLE001 -- only OOM is handled; the rest is re-raised
                if not is_out_of_memory(error) or len(chunk) == 1:
                    raise
            # Outside the except block: the exception, its traceback and the tensors its frames
            # hold are released before the cache is emptied.
            self.release_memory()
            sent, batch[0] = len(chunk), max(1, len(chunk) // 2)
            LOG.warning("GPU out of memory with %d windows per batch; retrying with %d", sent, batch[0])
        return outputs


def _check_summaries_can_shrink(generation, limit):
    for name in ("min_length", "min_new_tokens"):
        if generation.get(name, 0) >= limit:
            raise RequestError(f"{name} ({generation[name]}) must be less than the window ({limit} tokens) for a long document: window summaries that long can never be reduced")


def _max_input_tokens(tokenizer, config):
    candidates = [getattr(config, "max_position_embeddings", None), getattr(tokenizer, "model_max_length", None)]
    sane = [int(c) for c in candidates if isinstance(c, int) and 0 < c < 1_000_000]
    if not sane:
        raise ValueError("cannot tell the model's maximum input length (no max_position_embeddings or model_max_length)")
    return min(sane)


def _take_bodies_as_bytes():
    """The toolkit's `handle()` decodes an exact `application/json` body with strict UTF-8 before
    any hook runs (`if content_type in content_types.UTF8_TYPES`), so invalid UTF-8 would fail
    with Python's codec message. With nothing in that list every body reaches `transform_fn` as
    bytes and `parse_request` decodes it. model/tests/test_toolkit_contract.py checks this
    against the real toolkit."""
    try:
        from sagemaker_huggingface_inference_toolkit import content_types  # noqa: PLC0415 -- in the image only
    except ImportError:
        return
    content_types.UTF8_TYPES = []


def model_fn(model_dir, context=None):  # noqa: ARG001 -- the toolkit passes the MMS Context here
    import torch  # noqa: PLC0415 -- from the DLC image, only where the model is loaded
    from transformers import AutoModelForSeq2SeqLM, AutoTokenizer  # noqa: PLC0415

    defaults = settings_from_env(os.environ)
    _take_bodies_as_bytes()
    tokenizer = AutoTokenizer.from_pretrained(model_dir)
    model = AutoModelForSeq2SeqLM.from_pretrained(model_dir)
    cuda = torch.cuda.is_available()
    device = "cuda" if cuda else "cpu"
    model.to(device)
    model.eval()
    pad = tokenizer.pad_token_id if tokenizer.pad_token_id is not None else 0

    def generate(batch, generation):
        width = max(len(x) for x in batch)
        input_ids = torch.tensor([x + [pad] * (width - len(x)) for x in batch], dtype=torch.long, device=device)
        attention = torch.tensor([[1] * len(x) + [0] * (width - len(x)) for x in batch], dtype=torch.long, device=device)
        with torch.inference_mode():
            output = model.generate(input_ids=input_ids, attention_mask=attention, **generation)
        return tokenizer.batch_decode(output, skip_special_tokens=True, clean_up_tokenization_spaces=True)

    def release_memory():
        if cuda:
            torch.cuda.empty_cache()

    max_input = _max_input_tokens(tokenizer, model.config)
    LOG.info("summarizer ready: %s, device %s, max input %d tokens, defaults %s", model_dir, device, max_input, defaults)
    return Summarizer(TokenizerAdapter(tokenizer), generate, max_input, defaults, release_memory)


def transform_fn(model, input_data, content_type, accept, context=None):  # noqa: ARG001 -- the MMS Context
    """One request: the response type first (an unsupported Accept fails before any GPU work),
    then the request, the summary and its JSON: `[{"summary_text": ..., <report>}]`."""
    response_type(accept)
    request = parse_request(input_data, content_type, model.defaults)
    return encode_response([model.summarize(request)])
