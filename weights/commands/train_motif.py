from weights.training import Trainer, TrainOptions


def train_motif_cmd(args) -> int:
    opts = TrainOptions(id=args.id, name_zh=args.name_zh, name_en=args.name_en, photos=args.photos,
                        method=args.method, steps=args.steps, rank=args.rank, lr=args.lr,
                        resolution=args.resolution, batch_size=args.batch_size,
                        text_encoder=args.text_encoder, noun=args.noun, prior=args.prior,
                        seed=args.seed, checkpoint_every=args.checkpoint_every,
                        samples=args.samples, mixed_precision=args.mixed_precision,
                        restart=args.restart)
    rec = Trainer(opts, args.dir).run()
    print(f"trained motif '{rec.id}' ({rec.method}, {rec.steps} steps, token '{rec.token}', "
          f"{rec.photos} photos): {rec.file}; samples: {', '.join(rec.samples) or 'none'}. "
          "Staff enable it on the staff page after looking at the samples.")
    return 0
