// placeholder until the plan stage lands
