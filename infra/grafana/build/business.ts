import { dashboard, RATE } from './panels';

/**
 * What the marketplace does: offers listed, searches, sign-ins. Counted where the work happens
 * (the offers, search and users subgraphs), so searches answered from the gateway's response
 * cache are not in the search count.
 */
export const businessDashboard = dashboard({
  uid: 'autograph-business',
  title: 'Autograph / Marketplace',
  description: 'Offers created, searches and sign-ins',
  from: 'now-24h',
  rows: [
    {
      title: 'Over the range',
      panels: [
        {
          title: 'Offers created',
          description: 'Offers committed (autograph_offers_created_total).',
          kind: 'stat',
          queries: [{ expr: 'sum(increase(autograph_offers_created_total[$__range]))', legend: 'offers' }],
        },
        {
          title: 'Searches',
          description:
            'Searches run by the search subgraph (autograph_searches_total); answers from the gateway cache are not counted.',
          kind: 'stat',
          queries: [{ expr: 'sum(increase(autograph_searches_total[$__range]))', legend: 'searches' }],
        },
        {
          title: 'Successful sign-ins',
          description: 'autograph_sign_ins_total{result="success"}.',
          kind: 'stat',
          queries: [
            { expr: 'sum(increase(autograph_sign_ins_total{result="success"}[$__range]))', legend: 'sign-ins' },
          ],
        },
      ],
    },
    {
      title: 'Over time',
      panels: [
        {
          title: 'Offers created per hour',
          description: 'autograph_offers_created_total as an hourly rate.',
          unit: 'short',
          queries: [{ expr: `sum(rate(autograph_offers_created_total[${RATE}])) * 3600`, legend: 'offers / hour' }],
        },
        {
          title: 'Searches per minute, with and without text',
          description:
            'autograph_searches_total by whether the search had words to match (text="yes") or only filters.',
          unit: 'short',
          stacked: true,
          queries: [
            {
              expr: `sum by (text) (rate(autograph_searches_total[${RATE}])) * 60`,
              legend: 'text: {{text}}',
            },
          ],
        },
        {
          title: 'Sign-ins per minute',
          description:
            'Successful and failed sign-ins (autograph_sign_ins_total) and those refused while an account was throttled after failures (autograph_login_throttled_total).',
          unit: 'short',
          queries: [
            { expr: `sum by (result) (rate(autograph_sign_ins_total[${RATE}])) * 60`, legend: '{{result}}' },
            { expr: `sum(rate(autograph_login_throttled_total[${RATE}])) * 60`, legend: 'throttled' },
          ],
        },
        {
          title: 'Failed share of sign-ins',
          description:
            'Failures over all sign-ins: a rise with steady successes is password guessing (see the gateway rate-limit panels).',
          unit: 'percentunit',
          width: 24,
          queries: [
            {
              expr: `sum(rate(autograph_sign_ins_total{result="failure"}[${RATE}])) / sum(rate(autograph_sign_ins_total[${RATE}]))`,
              legend: 'failed share',
            },
          ],
        },
      ],
    },
  ],
});
