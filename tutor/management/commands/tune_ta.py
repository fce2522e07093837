"""``manage.py tune_ta COURSE``: LoRA-tune the assistant on the course and register the adapter (see
`tutor.assistant.tuning.services`). Resumable: run it again after an interruption and it continues from the last
checkpoint. Progress bar with loss and ETA."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "LoRA-tune the course's assistant model (CPU by default, CUDA when present) and register it."

    def add_arguments(self, parser):
        parser.add_argument("course", help="course slug, e.g. llm101n")
        parser.add_argument("--steps", type=int, default=None, help="optimizer steps (default: TuneConfig's)")
        parser.add_argument("--batch-size", type=int, default=None)
        parser.add_argument("--max-seq-len", type=int, default=None)
        parser.add_argument("--rank", type=int, default=None, help="LoRA rank")
        parser.add_argument("--top-layers", type=int, default=None, help="adapt only the last N layers (0: all)")
        parser.add_argument("--lr", type=float, default=None)
        parser.add_argument("--seed", type=int, default=None)
        parser.add_argument("--device", default=None, help="auto (default), cpu or cuda")
        parser.add_argument("--max-minutes", type=float, default=None, help="stop (resumably) after this long")
        parser.add_argument("--holdout", type=float, default=0.1, help="share of steps held out (default 0.1)")

    def handle(self, *args, course, **opts):
        from dataclasses import replace

        from tqdm import tqdm

        from inference.errors import InferenceError
        from inference.tune import TuneConfig
        from tutor.assistant.tuning.services import TuningError, run_tuning

        names = {"steps": "steps", "batch_size": "batch_size", "max_seq_len": "max_seq_len", "rank": "rank", "lr": "lr"}
        names |= {"seed": "seed", "device": "device", "max_minutes": "max_minutes", "top_layers": "top_layers"}
        changes = {field: opts[opt] for opt, field in names.items() if opts.get(opt) is not None}
        if changes.get("top_layers") == 0:
            changes["top_layers"] = None
        if "rank" in changes:
            changes["alpha"] = 2 * changes["rank"]
        config = replace(TuneConfig(), **changes)
        bar = tqdm(total=config.steps, desc=f"tuning {course}", unit="step", file=self.stderr._out)

        def progress(p) -> None:
            bar.n = p.step
            bar.set_postfix(loss=f"{p.loss:.3f}", eta=f"{p.eta_s / 60:.1f} min")
            bar.refresh()

        try:
            row = run_tuning(course_slug=course, config=config, holdout=opts["holdout"], progress=progress)
        except (TuningError, InferenceError) as exc:
            raise CommandError(str(exc))
        finally:
            bar.close()
        m, t = row.card["metrics"], row.card["training"]
        self.stdout.write(
            f"{row.name}: {row.status} — {t['steps']} steps in {t['seconds']} s on {t['device']}; held-out loss "
            f"{m['heldout_loss_before']} → {m['heldout_loss_after']}; adapter {row.adapter_path}"
        )
