/**
 * Block Kit using every block and element type the app emits (header, section with text, fields and
 * a button accessory, context, divider, actions with styled and confirmed buttons, static and
 * external selects, input blocks with plain text and selects) plus the rest the page renders.
 * Valid by the fake Slack's Block Kit rules, so it travels the real chat.postMessage / views.open path.
 */

const plain = (text: string) => ({ type: 'plain_text' as const, text, emoji: true });
const md = (text: string) => ({ type: 'mrkdwn' as const, text });
const option = (text: string, value: string) => ({ text: plain(text), value });
/** An inline picture, so the page never reaches for the network. */
const PIXEL =
  'data:image/svg+xml,%3Csvg xmlns=%22http://www.w3.org/2000/svg%22 width=%2240%22 height=%2240%22%3E%3Crect width=%2240%22 height=%2240%22 fill=%22%234a154b%22/%3E%3C/svg%3E';
const confirm = { title: plain('Really?'), text: md('This *cannot* be undone.'), confirm: plain('Do it'), deny: plain('Cancel'), style: 'danger' };

export const MESSAGE_BLOCK_TYPES = ['header', 'section', 'divider', 'image', 'context', 'actions', 'rich_text', 'markdown', 'table'];
export const MODAL_BLOCK_TYPES = ['section', 'input', 'context'];

export const kitchenSinkMessage = [
  { type: 'header', text: plain('Kitchen sink :rocket:') },
  {
    type: 'section',
    text: md(
      '*bold* _italic_ ~strike~ `code` <https://example.com|a link> <@U_BOB> <#C_DEMOS> <!here> <!date^1700000000^{date_short_pretty} at {time}|Nov 14> :white_check_mark: &lt;escaped&gt;\n> quoted line\n```preformatted\n  block```',
    ),
    accessory: { type: 'button', text: plain('Details'), action_id: 'sink.details', value: 'x' },
  },
  {
    type: 'section',
    fields: [md('*Zone*\nus-central1-a'), md('*IP*\n`203.0.113.7`'), md('*Expires*\n<!date^1700000000^{date_short}|Nov 14>'), md('*Owner*\n<@U_ALICE>')],
  },
  {
    type: 'section',
    text: md('Pick one'),
    accessory: { type: 'static_select', action_id: 'sink.accessory_select', placeholder: plain('Choose'), options: [option('One', '1'), option('Two', '2')] },
  },
  {
    type: 'section',
    text: md('More'),
    accessory: { type: 'overflow', action_id: 'sink.overflow', options: [option('Edit', 'edit'), option('Remove', 'remove')], confirm },
  },
  { type: 'section', text: md('With a picture'), accessory: { type: 'image', image_url: PIXEL, alt_text: 'a square' } },
  { type: 'divider' },
  { type: 'image', image_url: PIXEL, alt_text: 'chart', title: plain('Usage chart') },
  { type: 'context', elements: [{ type: 'image', image_url: PIXEL, alt_text: 'icon' }, md('Context with an image and <https://example.com|a link>')] },
  {
    type: 'actions',
    elements: [
      { type: 'button', text: plain('Approve'), style: 'primary', action_id: 'sink.approve', value: 'ok' },
      { type: 'button', text: plain('Delete'), style: 'danger', action_id: 'sink.delete', value: 'rm', confirm },
      {
        type: 'static_select',
        action_id: 'sink.select',
        placeholder: plain('Filter'),
        options: [option('All', 'all'), option('Mine', 'mine')],
        initial_option: option('All', 'all'),
      },
      { type: 'external_select', action_id: 'sink.external', placeholder: plain('Jump to…'), min_query_length: 1 },
      { type: 'overflow', action_id: 'sink.more', options: [option('Help', 'help')] },
      { type: 'datepicker', action_id: 'sink.date', initial_date: '2026-01-31' },
      { type: 'checkboxes', action_id: 'sink.checks', options: [option('Notify me', 'notify')] },
      { type: 'radio_buttons', action_id: 'sink.radio', options: [option('Daily', 'd'), option('Weekly', 'w')] },
    ],
  },
  {
    type: 'rich_text',
    elements: [
      {
        type: 'rich_text_section',
        elements: [
          { type: 'text', text: 'Rich ', style: { bold: true } },
          { type: 'link', url: 'https://example.com', text: 'text' },
          { type: 'text', text: ' for ' },
          { type: 'user', user_id: 'U_ALICE' },
          { type: 'emoji', name: 'tada' },
        ],
      },
      {
        type: 'rich_text_list',
        style: 'bullet',
        elements: [
          { type: 'rich_text_section', elements: [{ type: 'text', text: 'first' }] },
          { type: 'rich_text_section', elements: [{ type: 'text', text: 'second' }] },
        ],
      },
      { type: 'rich_text_quote', elements: [{ type: 'text', text: 'a quote' }] },
      { type: 'rich_text_preformatted', elements: [{ type: 'text', text: 'npm start' }] },
    ],
  },
  { type: 'markdown', text: '**Markdown** block with `code`' },
  {
    type: 'table',
    rows: [
      [
        { type: 'raw_text', text: 'Demo' },
        { type: 'raw_text', text: 'Hours' },
      ],
      [
        { type: 'raw_text', text: 'crm-demo' },
        { type: 'raw_text', text: '12' },
      ],
    ],
  },
];

export const kitchenSinkModal = {
  type: 'modal',
  title: plain('Kitchen sink'),
  submit: plain('Save'),
  close: plain('Cancel'),
  callback_id: 'sink.modal',
  blocks: [
    { type: 'section', text: md('Inputs, as modals carry them.') },
    {
      type: 'input',
      block_id: 'name',
      label: plain('Name'),
      element: { type: 'plain_text_input', action_id: 'name', placeholder: plain('A short name'), initial_value: 'crm' },
    },
    {
      type: 'input',
      block_id: 'notes',
      optional: true,
      label: plain('Notes'),
      hint: plain('Shown to approvers.'),
      element: { type: 'plain_text_input', action_id: 'notes', multiline: true },
    },
    {
      type: 'input',
      block_id: 'search',
      dispatch_action: true,
      label: plain('Search'),
      element: { type: 'plain_text_input', action_id: 'search', dispatch_action_config: { trigger_actions_on: ['on_enter_pressed'] } },
    },
    {
      type: 'input',
      block_id: 'zone',
      label: plain('Zone'),
      element: {
        type: 'static_select',
        action_id: 'zone',
        options: [option('us-central1-a', 'us-central1-a')],
        initial_option: option('us-central1-a', 'us-central1-a'),
      },
    },
    { type: 'input', block_id: 'image', label: plain('Image'), element: { type: 'external_select', action_id: 'image', min_query_length: 1 } },
    {
      type: 'input',
      block_id: 'formats',
      label: plain('Formats'),
      element: { type: 'checkboxes', action_id: 'formats', options: [option('vmdk', 'vmdk'), option('qcow2', 'qcow2')] },
    },
    {
      type: 'input',
      block_id: 'when',
      label: plain('When'),
      element: { type: 'radio_buttons', action_id: 'when', options: [option('Now', 'now'), option('Tonight', 'tonight')] },
    },
    { type: 'context', elements: [md('All of it goes to the app as view.state.values.')] },
  ],
};
