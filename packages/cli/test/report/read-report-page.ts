import type { ChromiumPage } from "../support/chromium.js"

export interface RenderedBar {
  readonly key: string
  readonly value: number
  /** Laid-out geometry in CSS pixels, as Chromium drew it. */
  readonly top: number
  readonly bottom: number
  readonly height: number
  readonly width: number
  readonly over: boolean
  /** The number printed over the bar, if any. */
  readonly label: string | undefined
}

export interface Box {
  readonly left: number
  readonly right: number
  readonly top: number
  readonly bottom: number
}

export interface RenderedChart {
  readonly bars: ReadonlyArray<RenderedBar>
  /** The chart's own box and those of every text in it, as laid out. */
  readonly box: Box
  readonly texts: ReadonlyArray<Box & { readonly text: string }>
  /** The quota line's value and vertical position, when the chart has one. */
  readonly limit: { readonly value: number; readonly y: number } | undefined
}

export interface RenderedSection {
  readonly harvestId: string
  readonly text: string
  readonly facts: Readonly<Record<string, string>>
  readonly records: RenderedChart | undefined
  readonly requests: RenderedChart | undefined
  readonly errors: RenderedChart | undefined
  /** The run timeline as a chart: its texts, for their layout (its runs are in `runs`). */
  readonly timeline: RenderedChart | undefined
  readonly coverage: {
    readonly days: ReadonlyArray<{ day: string; state: string; width: number; height: number }>
    readonly counts: Readonly<Record<string, string>>
    readonly items: { covered: string; total: string } | undefined
  }
  readonly runs: ReadonlyArray<{ run: number; status: string; records: number; requests: number; left: number; width: number }>
}

/** What the page shows, read from Chromium's DOM and layout (not from our own markup). */
export const readReportPage = (page: ChromiumPage): Promise<{ sections: Array<RenderedSection>; overview: RenderedChart | undefined; totals: Record<string, string> }> =>
  page.evaluate(`(() => {
    const box = (el) => el.getBoundingClientRect()
    const edges = (el) => { const b = box(el); return { left: b.left, right: b.right, top: b.top, bottom: b.bottom } }
    const chart = (root, name) => {
      const svg = root.querySelector('svg[data-chart="' + name + '"]')
      if (!svg) return undefined
      const labels = new Map([...svg.querySelectorAll('text.value')].map((t) => [t.dataset.day ?? t.dataset.kind, t.textContent]))
      const bars = [...svg.querySelectorAll('rect.bar')].map((bar) => {
        const key = bar.dataset.day ?? bar.dataset.kind
        const b = box(bar)
        return { key, value: Number(bar.dataset.value), top: b.top, bottom: b.bottom, height: b.height, width: b.width, over: bar.classList.contains('over'), label: labels.get(key) }
      })
      const line = svg.querySelector('line.limit')
      const texts = [...svg.querySelectorAll('text')].map((t) => ({ ...edges(t), text: t.textContent }))
      return { bars, box: edges(svg), texts, limit: line ? { value: Number(line.dataset.value), y: box(line).top + box(line).height / 2 } : undefined }
    }
    const sections = [...document.querySelectorAll('section.harvest')].map((section) => {
      const items = section.querySelector('p[data-chart="coverage"]')
      return {
        harvestId: section.dataset.harvestId,
        text: section.textContent,
        facts: Object.fromEntries([...section.querySelectorAll('[data-fact]')].map((el) => [el.dataset.fact, el.textContent])),
        records: chart(section, 'records'),
        requests: chart(section, 'requests'),
        errors: chart(section, 'errors'),
        timeline: chart(section, 'runs'),
        coverage: {
          days: [...section.querySelectorAll('svg[data-chart="coverage"] rect.day')].map((cell) => ({ day: cell.dataset.day, state: cell.dataset.state, width: box(cell).width, height: box(cell).height })),
          counts: Object.fromEntries([...section.querySelectorAll('[data-count]')].map((el) => [el.dataset.count, el.textContent])),
          items: items ? { covered: items.dataset.itemsCovered, total: items.dataset.itemsTotal } : undefined
        },
        runs: [...section.querySelectorAll('svg[data-chart="runs"] rect.run')].map((run) => ({
          run: Number(run.dataset.run), status: run.dataset.status, records: Number(run.dataset.records), requests: Number(run.dataset.requests), left: box(run).left, width: box(run).width
        }))
      }
    })
    const totals = Object.fromEntries([...document.querySelectorAll('[data-total]')].map((el) => [el.dataset.total, el.textContent]))
    return { sections, overview: chart(document.getElementById('overview') ?? document.body, 'requests-all'), totals }
  })()`)

/** Each bar's drawn height over its value is one constant (zero bars drawn flat): the bars are to scale. */
export const barsToScale = (bars: ReadonlyArray<RenderedBar>): boolean => {
  const drawn = bars.filter((bar) => bar.value > 0)
  const ratio = drawn[0] === undefined ? 0 : drawn[0].height / drawn[0].value
  return ratio > 0 &&
    drawn.every((bar) => Math.abs(bar.height - bar.value * ratio) < 1) &&
    bars.filter((bar) => bar.value === 0).every((bar) => bar.height < 0.5)
}

/** Every text of the chart lies inside it, and no two overlap: the labels are readable. */
export const textsLaidOut = (chart: RenderedChart): Array<string> => {
  const inside = (b: Box) => b.left >= chart.box.left - 0.5 && b.right <= chart.box.right + 0.5 && b.top >= chart.box.top - 0.5 && b.bottom <= chart.box.bottom + 0.5
  const overlap = (a: Box, b: Box) => a.left < b.right - 0.5 && b.left < a.right - 0.5 && a.top < b.bottom - 0.5 && b.top < a.bottom - 0.5
  return [
    ...chart.texts.filter((t) => !inside(t)).map((t) => `${t.text} outside the chart`),
    ...chart.texts.flatMap((a, i) => chart.texts.slice(i + 1).filter((b) => overlap(a, b)).map((b) => `${a.text} overlaps ${b.text}`))
  ]
}
