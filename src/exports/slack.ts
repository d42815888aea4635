import type { BlockAction, ViewSubmitAction } from '@slack/bolt';
import type { Registration } from '../capability.ts';
import { registerDetailSection } from '../catalog/detail.ts';
import { UserError } from '../errors.ts';
import { errorModal, escapeMrkdwn } from '../platform/blocks.ts';
import { modalFlow } from '../platform/modal-flow.ts';
import * as catalog from '../catalog/service.ts';
import { pickOne } from '../resolve.ts';
import { FORMAT_INFO, normalizePrefix } from './formats.ts';
import { ExportIds } from './ids.ts';
import * as service from './service.ts';
import { readMetadata, STALE_FORM } from '../platform/view-metadata.ts';
import { detailButtons, ExportMetadata, exportModal, exportQueuedModal } from './views.ts';

export function registerExports({ ctx, bolt, router }: Registration): void {
  registerDetailSection('exports', { buttons: detailButtons });

  router.add({
    name: 'export',
    usage: '/demo export <image> [format] [gs://bucket/folder]',
    summary: 'export an image to Cloud Storage (vmdk, vhdx, vpc, vdi, qcow2 or tar.gz)',
    run: async (input, respond) => {
      const parsed = service.parseExportCommand(input.args);
      const actor = await ctx.actor(input.userId);
      // A button of "Did you mean…?" runs the same export with the chosen image's id.
      const tail = input.args.slice(parsed.image.split(' ').length);
      const candidates = await catalog.imagesNamed(ctx, input.userId, parsed.image);
      const found = await pickOne(respond, parsed.image, candidates, { what: 'image', rerun: (id) => ['export', id, ...tail].join(' '), browse: 'browse' });
      if (!found) return;
      if (!parsed.format) {
        // No format: the modal asks for it, with what was given filled in.
        await modalFlow(ctx.slack, ctx.log, { triggerId: input.triggerId, title: 'Export an image' }, async () => {
          const image = await service.exportableImage(ctx, actor, found.id);
          return exportModal(image, service.exportOptions(ctx), { bucket: parsed.destination?.bucket, prefix: parsed.destination?.prefix });
        });
        return;
      }
      const image = await service.exportableImage(ctx, actor, found.id);
      const { export: exp, created } = await service.startExport(ctx, actor, {
        imageId: image.id,
        format: parsed.format,
        bucket: parsed.destination?.bucket,
        prefix: parsed.destination?.prefix,
        submissionKey: `export-command:${input.triggerId}`,
      });
      const what = `*${escapeMrkdwn(image.title)}* as ${FORMAT_INFO[exp.format].label} to \`${exp.destinationUri}\``;
      await respond({
        response_type: 'ephemeral',
        text: created ? `:package: Exporting ${what}. I'll DM you as it goes.` : `:package: Already exporting ${what}.`,
      });
    },
  });

  bolt.action<BlockAction>(ExportIds.open, async ({ ack, body, action }) => {
    await ack();
    const imageId = action.type === 'button' ? (action.value ?? '') : '';
    // From an image's detail modal the export modal goes on top; from the App Home it opens.
    await modalFlow(ctx.slack, ctx.log, { triggerId: body.trigger_id, title: 'Export an image', push: body.view?.type === 'modal' }, async () =>
      exportModal(await service.exportableImage(ctx, await ctx.actor(body.user.id), imageId), service.exportOptions(ctx)),
    );
  });

  bolt.view<ViewSubmitAction>(ExportIds.modal, async ({ ack, body, view }) => {
    const imageId = readMetadata(ExportMetadata, view.private_metadata)?.imageId;
    const values = view.state.values;
    const format = values[ExportIds.formatBlock]?.[ExportIds.format]?.selected_option?.value;
    const bucket = values[ExportIds.bucketBlock]?.[ExportIds.bucket]?.selected_option?.value;
    const prefix = values[ExportIds.prefixBlock]?.[ExportIds.prefix]?.value ?? '';
    const errors: Record<string, string> = {};
    if (!format) errors[ExportIds.formatBlock] = 'Pick a format.';
    if (!bucket) errors[ExportIds.bucketBlock] = 'Pick a bucket.';
    const folder = normalizePrefix(prefix);
    if (typeof folder !== 'string') errors[ExportIds.prefixBlock] = folder.error;
    if (!imageId) errors[ExportIds.formatBlock] = STALE_FORM;
    if (Object.keys(errors).length) {
      await ack({ response_action: 'errors', errors });
      return;
    }
    // Ack at once (Slack waits 3 s at most), then create the export and say where it goes.
    await ack({ response_action: 'update', view: exportQueuedModal('your image', `gs://${bucket}/${folder as string}…`) });
    try {
      // The view id is the same for a double click and for Slack's retry: one export per view.
      const actor = await ctx.actor(body.user.id);
      const { export: exp } = await service.startExport(ctx, actor, { imageId: imageId!, format: format!, bucket, prefix, submissionKey: `export:${view.id}` });
      const image = await service.exportableImage(ctx, actor, exp.imageId);
      await ctx.slack.views.update({ view_id: view.id, view: exportQueuedModal(image.title, exp.destinationUri) });
    } catch (err) {
      if (!(err instanceof UserError)) throw err;
      await ctx.slack.views.update({ view_id: view.id, view: errorModal('Export an image', err.message) });
    }
  });

  bolt.action<BlockAction>(ExportIds.cancel, async ({ ack, body, action }) => {
    await ack();
    const exportId = action.type === 'button' ? (action.value ?? '') : '';
    await service.requestCancel(ctx, await ctx.actor(body.user.id), exportId);
  });

  // The Download button is a link; Slack still reports the click, which needs an ack and nothing else.
  bolt.action<BlockAction>(ExportIds.download, async ({ ack }) => {
    await ack();
  });
}
