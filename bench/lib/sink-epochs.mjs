/**
 * Writes every batch (`{ records, arrow? }`) to an opened sink writer, flushing every 50,000
 * records as the pipeline runner's default epochs do, then closes it.
 */
export const writeInEpochs = async (writer, harvestId, batches) => {
  const flush = (epoch) =>
    writer.flush({ epoch, checkpoint: { version: 1, harvestId, epoch, state: { epoch }, updatedAt: new Date().toISOString() } })
  let epoch = 1
  let inEpoch = 0
  for (const batch of batches) {
    await writer.write({ ...batch, epoch })
    inEpoch += batch.records.length
    if (inEpoch >= 50_000) {
      await flush(epoch)
      epoch++
      inEpoch = 0
    }
  }
  if (inEpoch > 0) await flush(epoch)
  await writer.close()
}
