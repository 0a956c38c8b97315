"""A model directory laid out like the model artifact, with a real tokenizer and a tiny model.

- The tokenizer is a real `PegasusTokenizerFast`: a SentencePiece unigram model trained here on
  samples/articles (plus every printable ASCII character and a little Japanese, so nothing common
  is <unk>), converted by transformers exactly as a Hub checkpoint's is, and saved with its files.
- The model is `PegasusForConditionalGeneration` from a `PegasusConfig` a few layers wide, with
  random weights (seeded), saved with `save_pretrained` (safetensors). Its generation config asks
  for short summaries with no special tokens, so each window's summary is a few real words and a
  map-reduce shrinks the text the way a real model does.
- `code/inference.py` is the handler as the stack ships it.

No Hub, no GPU: transformers and torch (CPU) from the serving environment (scripts/python-env.sh).
"""

import io
import shutil
import string
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = ROOT / "samples" / "articles"
HANDLER = ROOT / "model" / "code" / "inference.py"

MAX_INPUT_TOKENS = 256  # max_position_embeddings: small, so a sample article needs map-reduce
SUMMARY_TOKENS = (4, 12)  # min and max length of each generated summary


def _training_lines():
    for path in sorted(SAMPLES.glob("*.txt")):
        yield from path.read_text(encoding="utf-8").splitlines()
    yield " ".join(string.printable.split())
    yield "東京は晴れ。大阪は雨。明日は曇り。"


def build_tokenizer(directory):
    import sentencepiece as spm  # noqa: PLC0415
    from transformers import PegasusTokenizer, PegasusTokenizerFast  # noqa: PLC0415

    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    model = io.BytesIO()
    spm.SentencePieceTrainer.train(
        sentence_iterator=_training_lines(), model_writer=model, vocab_size=800, hard_vocab_limit=False,
        model_type="unigram", character_coverage=1.0, pad_id=0, eos_id=1, unk_id=2, bos_id=-1,
        normalization_rule_name="nmt_nfkc", num_threads=1, minloglevel=2,
    )
    spm_path = directory / "spiece.model"
    spm_path.write_bytes(model.getvalue())
    PegasusTokenizer(str(spm_path), model_max_length=MAX_INPUT_TOKENS).save_pretrained(directory)
    fast = PegasusTokenizerFast.from_pretrained(directory)  # converted from the slow one, as for a Hub model
    fast.save_pretrained(directory)
    return fast


def build(directory, seed=0):
    """Writes the artifact layout into `directory`: model files at the top, the handler in code/."""
    import torch  # noqa: PLC0415
    from transformers import GenerationConfig, PegasusConfig, PegasusForConditionalGeneration  # noqa: PLC0415

    directory = Path(directory)
    tokenizer = build_tokenizer(directory)
    torch.manual_seed(seed)
    config = PegasusConfig(
        vocab_size=len(tokenizer), d_model=32, encoder_layers=1, decoder_layers=1, encoder_attention_heads=2,
        decoder_attention_heads=2, encoder_ffn_dim=64, decoder_ffn_dim=64, max_position_embeddings=MAX_INPUT_TOKENS,
        pad_token_id=tokenizer.pad_token_id, eos_token_id=tokenizer.eos_token_id,
        decoder_start_token_id=tokenizer.pad_token_id, forced_eos_token_id=tokenizer.eos_token_id,
    )
    model = PegasusForConditionalGeneration(config).eval()
    specials = [i for i in range(len(tokenizer)) if i != tokenizer.eos_token_id and tokenizer.convert_ids_to_tokens(i) in tokenizer.all_special_tokens + [f"<unk_{k}>" for k in range(2, 103)] + [f"<mask_{k}>" for k in (1, 2)]]
    model.generation_config = GenerationConfig(
        decoder_start_token_id=tokenizer.pad_token_id, eos_token_id=tokenizer.eos_token_id, pad_token_id=tokenizer.pad_token_id,
        min_length=SUMMARY_TOKENS[0], max_length=SUMMARY_TOKENS[1], num_beams=1, suppress_tokens=specials,
    )
    model.save_pretrained(directory)
    code = directory / "code"
    code.mkdir(exist_ok=True)
    shutil.copy(HANDLER, code / "inference.py")
    return directory


_SHARED = {}


def shared_model_dir():
    """One tiny model per test process, built on first use and removed at exit."""
    if "dir" not in _SHARED:
        import atexit  # noqa: PLC0415
        import tempfile  # noqa: PLC0415

        root = Path(tempfile.mkdtemp(prefix="tiny-pegasus-"))
        atexit.register(shutil.rmtree, root, ignore_errors=True)
        _SHARED["dir"] = build(root / "model")
    return _SHARED["dir"]


if __name__ == "__main__":
    import sys

    print(build(sys.argv[1]))
