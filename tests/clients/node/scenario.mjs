// HubSpot's official Node client (@hubspot/api-client) through its own methods against
// `hubtix sandbox`: the ticket scenario of issue 15. Run by tests/official_clients.rs.
//
//   node scenario.mjs BASE_URL TOKEN
//
// Exits 0 when every step did what HubSpot documents; otherwise prints the failed step and
// exits 1. Steps print one line each on stdout ("ok <step>") so a failure reads in context.
import { Client } from '@hubspot/api-client';

const [baseUrl, token] = process.argv.slice(2);
if (!baseUrl || !token) {
  console.error('usage: node scenario.mjs BASE_URL TOKEN');
  process.exit(2);
}

// The client's own retry (RetryDecorator): 429 with the search "secondly limit" message
// waits 1 s × attempt, 429 TEN_SECONDLY_ROLLING 10 s × attempt, 5xx 200 ms × attempt.
const hubspot = new Client({ accessToken: token, basePath: baseUrl, numberOfApiCallRetries: 3 });
const stamp = Date.now().toString(36);

function check(cond, what) {
  if (!cond) throw new Error(`check failed: ${what}`);
}

async function step(name, fn) {
  try {
    const out = await fn();
    console.log(`ok ${name}`);
    return out;
  } catch (e) {
    const body = e && e.body ? ` body=${JSON.stringify(e.body)}` : '';
    console.log(`FAILED ${name}: ${e && e.code ? `HTTP ${e.code} ` : ''}${e && e.message}${body}`);
    throw e;
  }
}

/** Resolves to the HTTP status of the ApiException a call throws (fails when it does not). */
async function statusOf(promise) {
  try {
    await promise;
  } catch (e) {
    check(typeof e.code === 'number', `an ApiException with a status, got ${e}`);
    return e.code;
  }
  throw new Error('the call succeeded where an error was expected');
}

async function main() {
  const t = hubspot.crm.tickets;

  const pipeline = await step('pipelines', async () => {
    const all = await hubspot.crm.pipelines.pipelinesApi.getAll('tickets');
    check(all.results.length > 0, 'at least one ticket pipeline');
    const p = all.results[0];
    check(p.stages.length >= 2, 'the pipeline has stages');
    return p;
  });
  const [stage0, stage1] = pipeline.stages;

  const refProp = `scenario_ref_${stamp}`;
  await step('properties: create a unique property, read it back', async () => {
    const created = await hubspot.crm.properties.coreApi.create('tickets', {
      name: refProp,
      label: 'Scenario reference',
      type: 'string',
      fieldType: 'text',
      groupName: 'ticketinformation',
      hasUniqueValue: true,
    });
    check(created.name === refProp && created.hasUniqueValue === true, 'created as unique');
    const read = await hubspot.crm.properties.coreApi.getByName('tickets', refProp);
    check(read.name === refProp, 'read by name');
    const all = await hubspot.crm.properties.coreApi.getAll('tickets');
    check(all.results.some((p) => p.name === refProp), 'listed');
  });

  const contact = await step('contacts: one to associate', async () => {
    const page = await hubspot.crm.contacts.basicApi.getPage(2);
    check(page.results.length === 2, 'two contacts');
    return page.results;
  });

  const created = await step('create with associations', async () => {
    const out = [];
    for (let i = 0; i < 3; i++) {
      out.push(
        await t.basicApi.create({
          properties: {
            subject: `Node scenario ${stamp} #${i}`,
            content: 'Created by the official Node client',
            hs_pipeline: pipeline.id,
            hs_pipeline_stage: stage0.id,
            hs_ticket_priority: 'HIGH',
            [refProp]: `N-${stamp}-${i}`,
          },
          associations: [
            {
              to: { id: contact[0].id },
              types: [{ associationCategory: 'HUBSPOT_DEFINED', associationTypeId: 16 }],
            },
          ],
        }),
      );
    }
    check(out.every((r) => r.id && r.properties.subject.startsWith('Node scenario')), 'ids');
    return out;
  });
  const [a, b, c] = created;

  await step('get with history and associations', async () => {
    const got = await t.basicApi.getById(a.id, ['subject', 'hs_pipeline_stage'], ['hs_pipeline_stage'], ['contacts']);
    check(got.properties.subject === a.properties.subject, 'subject');
    check(got.propertiesWithHistory.hs_pipeline_stage.length >= 1, 'history');
    const assoc = got.associations.contacts.results.map((r) => r.id);
    check(assoc.includes(contact[0].id), `associated contact, got ${assoc}`);
  });

  await step('paging', async () => {
    const first = await t.basicApi.getPage(5, undefined, ['subject']);
    check(first.results.length === 5 && first.paging.next.after, 'a first page and a cursor');
    const second = await t.basicApi.getPage(5, first.paging.next.after, ['subject']);
    const ids = new Set(first.results.map((r) => r.id));
    check(second.results.every((r) => !ids.has(r.id)), 'the second page goes on');
  });

  await step('batch read by idProperty of the created property', async () => {
    const out = await t.batchApi.read({
      inputs: [{ id: `N-${stamp}-0` }, { id: `N-${stamp}-1` }],
      properties: ['subject', refProp],
      propertiesWithHistory: [],
      idProperty: refProp,
    });
    const ids = out.results.map((r) => r.id).sort();
    check(JSON.stringify(ids) === JSON.stringify([a.id, b.id].sort()), `found by ${refProp}: ${ids}`);
  });

  await step('update', async () => {
    const out = await t.basicApi.update(a.id, { properties: { hs_pipeline_stage: stage1.id } });
    check(out.properties.hs_pipeline_stage === stage1.id, 'stage moved');
  });

  await step('batch update', async () => {
    const out = await t.batchApi.update({
      inputs: [
        { id: b.id, properties: { hs_ticket_priority: 'LOW' } },
        { id: c.id, properties: { hs_ticket_priority: 'MEDIUM' } },
      ],
    });
    check(out.results.length === 2, 'two updated');
  });

  await step('search', async () => {
    const out = await t.searchApi.doSearch({
      filterGroups: [{ filters: [{ propertyName: refProp, operator: 'HAS_PROPERTY' }] }],
      properties: ['subject', refProp],
      sorts: ['hs_object_id'],
      limit: 10,
      after: '0',
    });
    check(out.total === 3, `three tickets carry ${refProp}, got ${out.total}`);
  });

  await step('v4 associations and labels', async () => {
    const v4 = hubspot.crm.associations.v4;
    const labels = await v4.schema.definitionsApi.getAll('tickets', 'contacts');
    check(labels.results.some((l) => l.typeId === 16), 'the default ticket→contact type');
    const labelled = labels.results.find((l) => l.label) || labels.results[0];
    await v4.basicApi.create('tickets', b.id, 'contacts', contact[1].id, [
      { associationCategory: labelled.category, associationTypeId: labelled.typeId },
    ]);
    const page = await v4.basicApi.getPage('tickets', b.id, 'contacts');
    const edge = page.results.find((r) => String(r.toObjectId) === String(contact[1].id));
    check(edge && edge.associationTypes.some((ty) => ty.typeId === labelled.typeId), 'the labelled edge');
    await v4.basicApi.archive('tickets', b.id, 'contacts', contact[1].id);
    const after = await v4.basicApi.getPage('tickets', b.id, 'contacts');
    check(!after.results.some((r) => String(r.toObjectId) === String(contact[1].id)), 'removed');
  });

  await step('pin a note (hs_pinned_engagement_id)', async () => {
    const note = await hubspot.crm.objects.notes.basicApi.create({
      properties: { hs_note_body: 'Pinned by the Node scenario', hs_timestamp: new Date().toISOString() },
      associations: [
        { to: { id: a.id }, types: [{ associationCategory: 'HUBSPOT_DEFINED', associationTypeId: 228 }] },
      ],
    });
    const out = await t.basicApi.update(a.id, { properties: { hs_pinned_engagement_id: note.id } });
    check(out.properties.hs_pinned_engagement_id === note.id, 'pinned');
  });

  await step('merge', async () => {
    const merged = await t.basicApi.merge({ primaryObjectId: b.id, objectIdToMerge: c.id });
    check(merged.id, 'the merged ticket');
    const viaOld = await t.basicApi.getById(c.id, ['subject']);
    check(viaOld.id === merged.id, 'the merged-away ID reads the merged ticket');
  });

  await step('archive', async () => {
    await t.basicApi.archive(a.id);
    check((await statusOf(t.basicApi.getById(a.id))) === 404, 'gone after archive');
  });

  await step('errors: 400, 401, 404', async () => {
    check(
      (await statusOf(t.basicApi.create({ properties: { hs_ticket_priority: 'NOT_A_PRIORITY' }, associations: [] }))) === 400,
      '400 for an invalid option',
    );
    const stranger = new Client({ accessToken: 'wrong-token', basePath: baseUrl });
    check((await statusOf(stranger.crm.tickets.basicApi.getPage(1))) === 401, '401 for a wrong token');
    check((await statusOf(t.basicApi.getById('999999999'))) === 404, '404 for an unknown ticket');
  });

  await step('errors: 429 on search, absorbed by the client retry', async () => {
    // Search allows 5 requests a second; 12 at once exceed it. The client's own
    // RetryDecorator retries the refused ones (1 s × attempt) until all succeed.
    const all = await Promise.all(
      Array.from({ length: 12 }, () =>
        t.searchApi.doSearch({ filterGroups: [], properties: ['subject'], sorts: [], limit: 1, after: '0' }),
      ),
    );
    check(all.every((r) => r.total > 0), 'every search answered');
  });
}

main().then(
  () => process.exit(0),
  (e) => {
    console.error(e && e.stack ? e.stack : e);
    process.exit(1);
  },
);
