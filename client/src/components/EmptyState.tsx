import type { ReactNode } from 'react';
import { Empty } from 'antd';

/** An empty state that says what to do next. */
export function EmptyState({ children, action }: { children: ReactNode; action?: ReactNode }) {
  return (
    <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={<span>{children}</span>}>
      {action}
    </Empty>
  );
}
